"""An SMTP server on loopback (aiosmtpd) that keeps what it received: each message's
Message-ID, recipients, subject and arrival time, so duplicates can be found either way."""

import threading
import time
from collections import Counter
from dataclasses import dataclass
from email.header import decode_header, make_header
from email.parser import BytesHeaderParser

from aiosmtpd.controller import Controller

from deploy.topology.processes import free_port


@dataclass(frozen=True)
class Received:
    message_id: str
    recipient: str
    subject: str
    at: float


class _Handler:
    def __init__(self, sink: "Sink"):
        self.sink = sink

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        headers = BytesHeaderParser().parsebytes(envelope.content)
        subject = str(make_header(decode_header(headers.get("Subject", ""))))
        message_id = (headers.get("Message-ID") or "").strip().strip("<>")
        now = time.time()
        with self.sink.lock:
            for recipient in envelope.rcpt_tos:
                self.sink.received.append(Received(message_id, recipient.lower(), subject, now))
        return "250 Message accepted for delivery"


class Sink:
    """``with Sink() as sink:`` listens on a free loopback port (``sink.port``)."""

    def __init__(self):
        self.received: list[Received] = []
        self.lock = threading.Lock()
        self.port = free_port()
        self.controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> "Sink":
        self.controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self.controller.stop()

    def snapshot(self) -> list[Received]:
        with self.lock:
            return list(self.received)

    def count(self) -> int:
        with self.lock:
            return len(self.received)


def duplicates_by_message_id(received: list[Received]) -> dict[str, int]:
    counts = Counter(r.message_id for r in received)
    return {message_id: n for message_id, n in counts.items() if n > 1}


def duplicates_by_recipient_and_subject(received: list[Received]) -> dict[tuple[str, str], set[str]]:
    """(recipient, subject) pairs that arrived under more than one Message-ID: the same mail made
    twice, which a re-send of one message (same Message-ID) is not."""
    ids: dict[tuple[str, str], set[str]] = {}
    for r in received:
        ids.setdefault((r.recipient, r.subject), set()).add(r.message_id)
    return {pair: found for pair, found in ids.items() if len(found) > 1}
