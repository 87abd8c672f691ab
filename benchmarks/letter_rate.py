"""The worker's rate for an invitation round with its letters: messages a second, one worker,
each letter shared by the messages that carry it (a cooperative's address and its chair's) against
each message building its own, same round, same run; and, as the old rate, each message building
its own letter from scratch (a new font configuration and the page's stylesheet parsed each time,
as ``documents/pdf.py`` did before it kept them).

    python -m benchmarks.letter_rate [--cooperatives 30]

SQLite in a temporary folder; MAIL_SUPPRESS_SEND, so every message and its attachments are built
but nothing leaves. Ratios within one run; the machine's load moves the bare rates.
"""

import argparse
import re
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import select, update

from benchmarks.invitation_send import _populate
from portal import create_app
from portal.accounts.models import User
from portal.cooperatives.models import Cooperative
from portal.documents import pdf
from portal.events.models import Event
from portal.extensions import db
from portal.invitations import services as invitations
from portal.invitations.selection import BY_HAND, Selection
from portal.mail import delivery
from portal.mail.models import MessageStatus, OutboxMessage


class Unshared(delivery.RecentAttachments):
    def __init__(self):
        super().__init__(size=0)


@contextmanager
def _unkept():
    """Nothing of one PDF kept for the next: the font configuration made and the stylesheet
    parsed for each."""
    font_config, style = pdf._font_config, pdf.STYLE
    pdf._font_config, pdf.STYLE = pdf.FontConfiguration, re.compile("(?!)")
    try:
        yield
    finally:
        pdf._font_config, pdf.STYLE = font_config, style


def _rate(label: str) -> float:
    db.session.execute(update(OutboxMessage).values(status=MessageStatus.QUEUED, attempts=0, sent_at=None))
    db.session.commit()
    started = time.perf_counter()
    sent = delivery.send_pending(label)["sent"]
    return sent / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cooperatives", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"PORTAL_ENV": "testing", "SECRET_KEY": "bench", "MAIL_SUPPRESS_SEND": True,
                          "SQLALCHEMY_DATABASE_URI": f"sqlite:///{Path(folder) / 'bench.db'}"})
        with app.app_context(), app.test_request_context():
            db.create_all()
            event = db.session.get(Event, _populate(args.cooperatives))
            organiser = db.session.scalar(select(User).where(User.email == "organiser@example.org"))
            ids = list(db.session.scalars(select(Cooperative.id)))
            invitations.send_invitations(organiser, event, Selection(mode=BY_HAND, cooperative_ids=ids))
            db.session.commit()
            messages = db.session.query(OutboxMessage).count()
            shared = delivery.RecentAttachments
            delivery.RecentAttachments = Unshared
            try:
                with _unkept():
                    old_rate = _rate("old")
                unshared_rate = _rate("unshared")
            finally:
                delivery.RecentAttachments = shared
            shared_rate = _rate("shared")
            db.engine.dispose()
    print({"cooperatives": args.cooperatives, "messages": messages, "old_per_second": round(old_rate, 2),
           "unshared_per_second": round(unshared_rate, 2), "shared_per_second": round(shared_rate, 2),
           "ratio": round(shared_rate / unshared_rate, 2), "ratio_to_old": round(shared_rate / old_rate, 2)})


if __name__ == "__main__":
    main()
