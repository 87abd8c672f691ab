"""A real SMTP server on loopback (aiosmtpd) that records what it receives.

One server per xdist worker; each test starts with an empty inbox. ``smtp.answers`` scripts
the next DATA replies ("451 ...", "550 ..."), ``smtp.stop()`` / ``smtp.start()`` take it down
and bring it back on the same port.
"""

import email
import socket
import threading
from collections import deque
from dataclasses import dataclass
from email import policy

import pytest
from aiosmtpd.controller import Controller


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: email.message.EmailMessage
    raw: bytes = b""

    def strict(self) -> email.message.EmailMessage:
        """The message parsed with ``email.policy.strict``: any defect raises."""
        return email.message_from_bytes(self.raw, policy=policy.strict)

    @property
    def message_id(self) -> str:
        return self.message["Message-ID"]

    def body(self, subtype: str) -> str:
        return self.message.get_body(preferencelist=(subtype,)).get_content()

    def attachments(self) -> dict[str, bytes]:
        return {part.get_filename(): part.get_payload(decode=True) for part in self.message.iter_attachments()}


class SmtpSink:
    def __init__(self):
        self.port = _free_port()
        self.received: list[Received] = []
        self.answers: deque[str] = deque()
        self.lock = threading.Lock()
        self.on_receive = None
        self.controller = None

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            if self.answers:
                return self.answers.popleft()
            parsed = email.message_from_bytes(envelope.content, policy=policy.default)
            self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), parsed, envelope.content))
            count = len(self.received)
        if self.on_receive is not None:
            self.on_receive(count)
        return "250 2.0.0 Message accepted"

    def start(self):
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def reset(self):
        with self.lock:
            self.received.clear()
            self.answers.clear()
        self.on_receive = None
        if self.controller is None:
            self.start()

    def message_ids(self) -> list[str]:
        with self.lock:
            return [r.message_id for r in self.received]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def smtp_server():
    sink = SmtpSink()
    sink.start()
    yield sink
    sink.stop()


@pytest.fixture
def smtp(smtp_server):
    smtp_server.reset()
    yield smtp_server
    smtp_server.reset()
