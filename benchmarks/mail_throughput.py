"""Mail throughput: the outbox worker against raw smtplib, same messages, same sink, one run.

    python -m benchmarks.mail_throughput [--messages 5000] [--postgres URL | --no-postgres]

Both sides send the same 5,000 messages (two bodies each) to a local aiosmtpd sink over one
SMTP connection: raw smtplib builds each with the standard library's EmailMessage; the worker
also claims rows, builds with Flask-Mail and records every outcome in its own commit. A second
ratio compares against smtplib sending bytes built beforehand. Ratios only, never bare seconds.
"""

import argparse
import smtplib
import tempfile
import time
from email.message import EmailMessage
from email.utils import formataddr, formatdate
from pathlib import Path

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from deploy.topology.database import create_fresh
from portal import create_app
from portal.extensions import db
from portal.mail.delivery import (
    DeliveryPolicy,
    build_message,
    load_claimed,
    prepare_worker_connections,
    send_pending,
)
from portal.mail.models import OutboxMessage
from portal.mail.services import queue_email
from tests.mail_fixtures import SmtpSink

SENDER = "Portal Koperasi <noreply@portal-koperasi.local>"
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/portal_bench"


def _prepare_postgres(url: str) -> str:
    create_fresh(url)
    return url


def run(database_url: str, label: str, count: int, sink: SmtpSink) -> dict:
    app = create_app({"PORTAL_ENV": "testing", "SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": database_url,
                      "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": sink.port})
    with app.app_context():
        db.create_all()
        for i in range(count):
            queue_email(f"peserta{i}@example.org", "mail/email/test_message_to_user", _l("Test message"),
                        to_name=f"Peserta {i}", body=f"Undangan pelatihan nomor {i}")
        db.session.commit()
        rows = [(m.recipient_name, m.recipient_email, m.subject, m.body_text, m.body_html, m.message_id)
                for m in db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))]
        prebuilt = [(m.recipient_email, build_message(m).as_bytes())
                    for m in load_claimed(db.session.scalars(select(OutboxMessage.id)).all())]
        db.session.rollback()

        sink.reset()
        started = time.perf_counter()
        with smtplib.SMTP("127.0.0.1", sink.port) as raw:
            for name, address, subject, text, html, message_id in rows:
                raw.send_message(_stdlib_message(name, address, subject, text, html, message_id))
        raw_seconds = time.perf_counter() - started

        sink.reset()
        started = time.perf_counter()
        with smtplib.SMTP("127.0.0.1", sink.port) as raw:
            for address, data in prebuilt:
                raw.sendmail(SENDER, [address], data)
        prebuilt_seconds = time.perf_counter() - started

        sink.reset()
        prepare_worker_connections()
        started = time.perf_counter()
        counts = send_pending("bench", policy=DeliveryPolicy(batch_size=200))
        worker_seconds = time.perf_counter() - started
        distinct = len(set(sink.message_ids()))
        db.session.remove()
        db.drop_all()
        db.engine.dispose()
    ratio = raw_seconds / worker_seconds
    print(f"{label:<11} worker / raw smtplib {ratio:6.1%}   (raw sending pre-built bytes: "
          f"{prebuilt_seconds / worker_seconds:6.1%})   sent {counts['sent']}, "
          f"distinct Message-IDs received {distinct}/{count}")
    return {"ratio": ratio, "distinct": distinct}


def _stdlib_message(name, address, subject, text, html, message_id) -> EmailMessage:
    """What a hand-written sender builds with the standard library: the same two bodies."""
    message = EmailMessage()
    message["From"] = SENDER
    message["To"] = formataddr((name, address)) if name else address
    message["Subject"] = subject
    message["Message-ID"] = message_id
    message["Date"] = formatdate(localtime=True)
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    return message


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=5000)
    parser.add_argument("--postgres", default=DEFAULT_PG)
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    sink = SmtpSink()
    sink.start()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            run(f"sqlite:///{Path(tmp) / 'bench.db'}", "SQLite", args.messages, sink)
        if not args.no_postgres:
            run(_prepare_postgres(args.postgres), "PostgreSQL", args.messages, sink)
    finally:
        sink.stop()


if __name__ == "__main__":
    main()
