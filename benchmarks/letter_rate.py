"""The worker's rate for an invitation round with its letters: messages a second, one worker, same
round, same run, four ways: as the worker does it (the round's letter laid out once per pass and
each cooperative's addressee drawn in, the copy shared by the messages that carry it: a
cooperative's address and its chair's); each copy laid out in full but shared; each message
laying out its own; and, as the old rate, each message building its own letter from scratch (a new
font configuration and the page's stylesheet parsed each time, the office's images embedded as
uploaded, as ``documents/pdf.py`` did before it kept them).

Twice: for an office without a logo, signature or stamp, and for one with all three as an office
scans them (a 1,200-pixel colour logo, a 1,500-pixel signature and a 900-pixel stamp), which is
what a real letter carries.

    python -m benchmarks.letter_rate [--cooperatives 30]

SQLite in a temporary folder; MAIL_SUPPRESS_SEND, so every message and its attachments are built
but nothing leaves. Ratios within one run; the machine's load moves the bare rates.
"""

import argparse
import base64
import io
import math
import re
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

from PIL import Image, ImageDraw
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
from portal.settings.services import get_office_settings, update_office_settings


class InFull(delivery.RecentAttachments):
    """Copies shared, each laid out in full (no blanks)."""

    def __init__(self):
        super().__init__()
        self.blanks = None


class Unshared(InFull):
    def __init__(self):
        super().__init__()
        self.size = 0


def _as_uploaded(data: bytes | None, *_box, mimetype: str = "image/png") -> str | None:
    return f"data:{mimetype};base64,{base64.b64encode(data).decode()}" if data else None


@contextmanager
def _unkept(app):
    """Nothing of one PDF kept for the next: the font configuration made and the stylesheet
    parsed for each, and the office's images embedded as uploaded."""
    font_config, style = pdf._font_config, pdf.STYLE
    pdf._font_config, pdf.STYLE = pdf.FontConfiguration, re.compile("(?!)")
    globals_ = app.jinja_env.globals
    kept = globals_["logo_src"], globals_["mark_src"]
    globals_["logo_src"] = lambda settings: _as_uploaded(settings.logo, mimetype=settings.logo_mimetype)
    globals_["mark_src"] = _as_uploaded
    try:
        yield
    finally:
        pdf._font_config, pdf.STYLE = font_config, style
        globals_["logo_src"], globals_["mark_src"] = kept


def office_images() -> tuple[bytes, bytes, bytes]:
    """A logo, a signature and a stamp shaped like an office's scans: a colour emblem with a
    gradient, ink strokes and a ring of text on transparency."""
    logo = Image.new("RGB", (1200, 1200), "white")
    draw = ImageDraw.Draw(logo)
    for ring in range(0, 560, 4):
        draw.ellipse([40 + ring, 40 + ring, 1160 - ring, 1160 - ring], outline=(180 - ring // 4, 30 + ring // 5, 40))
    draw.polygon([(600, 200), (900, 900), (300, 900)], fill=(230, 190, 40), outline=(0, 0, 0))
    signature = Image.new("RGBA", (1500, 500), (0, 0, 0, 0))
    draw = ImageDraw.Draw(signature)
    for n in range(6):
        draw.line([(60 + n * 220, 420 - n * 40), (200 + n * 220, 80 + n * 30), (300 + n * 200, 380)],
                  fill=(20, 30, 120, 255), width=9, joint="curve")
    stamp = Image.new("RGBA", (900, 900), (0, 0, 0, 0))
    draw = ImageDraw.Draw(stamp)
    draw.ellipse([20, 20, 880, 880], outline=(90, 40, 160, 220), width=18)
    draw.ellipse([150, 150, 750, 750], outline=(90, 40, 160, 220), width=10)
    for n in range(24):
        draw.text((430 + 330 * math.cos(n / 24 * 2 * math.pi), 440 + 330 * math.sin(n / 24 * 2 * math.pi)),
                  "DINAS"[n % 5], fill=(90, 40, 160, 220), font_size=40)
    files = []
    for image in (logo, signature, stamp):
        output = io.BytesIO()
        image.save(output, "PNG", optimize=True)
        files.append(output.getvalue())
    return tuple(files)


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
            for images in ("none", "logo, signature, stamp"):
                if images != "none":
                    settings = get_office_settings()
                    settings.logo, signature, stamp = office_images()
                    settings.logo_mimetype = "image/png"
                    update_office_settings(None, {}, office=settings,
                                           marks={"signature_image": signature, "stamp_image": stamp})
                    db.session.commit()
                kept = delivery.RecentAttachments
                try:
                    delivery.RecentAttachments = Unshared
                    with _unkept(app):
                        old_rate = _rate("old")
                    unshared_rate = _rate("unshared")
                    delivery.RecentAttachments = InFull
                    in_full_rate = _rate("in full")
                finally:
                    delivery.RecentAttachments = kept
                rate = _rate("blanks")
                print({"office_images": images, "cooperatives": args.cooperatives, "messages": messages,
                       "old_per_second": round(old_rate, 2), "unshared_per_second": round(unshared_rate, 2),
                       "shared_in_full_per_second": round(in_full_rate, 2), "per_second": round(rate, 2),
                       "ratio_to_in_full": round(rate / in_full_rate, 2),
                       "ratio_to_unshared": round(rate / unshared_rate, 2),
                       "ratio_to_old": round(rate / old_rate, 2)}, flush=True)
            db.engine.dispose()


if __name__ == "__main__":
    main()
