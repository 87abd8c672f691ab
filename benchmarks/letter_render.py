"""What the mail worker pays for the surat undangan attached to every invitation email.

    python -m benchmarks.letter_render [--letters 20]

Renders one invitee's letter (a three-day training, letterhead, table of sessions, signature)
``--letters`` times laid out in full, then as the mail worker makes each copy of a round (its
addressee drawn into the round's letter laid out once), and, in the same run, the invitation
email's two bodies for comparison; prints the milliseconds of each and their ratios. No database
server is needed (SQLite in a temporary folder); nothing is sent.
"""

import argparse
import tempfile
import time
from datetime import date, timedelta
from datetime import time as clock
from pathlib import Path

from sqlalchemy import select

from portal import create_app
from portal.cooperatives.models import District
from portal.cooperatives.reference import seed_reference_data
from portal.documents.pdf import fill_blank
from portal.events import services as events
from portal.events import venues
from portal.events.models import EventKind, ProgramArea
from portal.extensions import db
from portal.invitations.emails import INVITATION_TEMPLATE, SUBJECTS
from portal.invitations.letters import ADDRESSEE_TEMPLATE, addressee_line, render_letter, render_letter_blank
from portal.mail.services import render_email


def _event():
    seed_reference_data()
    district = db.session.scalar(select(District).order_by(District.id))
    venue = venues.create_venue(None, "Aula Kantor Bupati Kupang", "Jl. Timor Raya, Oelamasi", district.id, 80)
    day = date.today() + timedelta(days=30)
    event = events.create_event(None, events.EventDetails(
        kind=EventKind.TRAINING, program_area=ProgramArea.HR_TRAINING, title="Pelatihan Pembukuan Koperasi",
        seats=60, starts_on=day, ends_on=day + timedelta(days=2), contact_name="Maria Bana",
        contact_phone="+6281234567890"))
    for n in range(3):
        events.add_session(None, event, day + timedelta(days=n), clock(9), clock(15), venue.id)
    db.session.commit()
    return event


def _milliseconds(work, times: int) -> float:
    work()  # the first call loads fonts and templates
    started = time.perf_counter()
    for _ in range(times):
        work()
    return (time.perf_counter() - started) / times * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--letters", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"PORTAL_ENV": "testing", "SECRET_KEY": "bench",
                          "SQLALCHEMY_DATABASE_URI": f"sqlite:///{Path(folder) / 'bench.db'}"})
        with app.app_context(), app.test_request_context():
            db.create_all()
            event = _event()
            addressee = addressee_line("KSP Sehati Oelamasi")
            letter = _milliseconds(lambda: render_letter(event, number="001/DISKOP/XI/2026", dated=date.today(),
                                                         addressee=addressee, what_to_bring="laptop"), args.letters)
            blank = render_letter_blank(event, number="001/DISKOP/XI/2026", dated=date.today(), what_to_bring="laptop")
            drawn = _milliseconds(lambda: fill_blank(blank, ADDRESSEE_TEMPLATE, addressee=addressee), args.letters)
            email = _milliseconds(lambda: render_email(
                INVITATION_TEMPLATE, SUBJECTS["invitation"], "id", subject_values={"title": event.title},
                event=event, what="invitation", kind="Pelatihan", guest_name="KSP Sehati Oelamasi",
                is_cooperative=True, what_to_bring="laptop", answer_by=None, page_link="x", accept_link="x",
                decline_link="x"), args.letters)
            size = len(render_letter(event, number="001/DISKOP/XI/2026", dated=date.today(), addressee=addressee)[2])
            db.engine.dispose()
    print({"letters": args.letters, "letter_ms": round(letter, 1), "drawn_copy_ms": round(drawn, 1),
           "letter_to_drawn_ratio": round(letter / drawn, 1), "email_bodies_ms": round(email, 2),
           "letter_to_email_ratio": round(letter / email, 1), "letter_kib": size // 1024})


if __name__ == "__main__":
    main()
