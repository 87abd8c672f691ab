"""The home pages' panels (``portal/main/panels.py``), each a fixed number of statements:
- organiser (and administrator and leader): today's and this week's sessions, what waits for the
  office, this year's key figures;
- administrator: accounts and mail health;
- board member: its cooperative's open invitations, coming registrations, certificates, RAT.
A visitor's page shows the coming public events, as it always did (``main/index.html``)."""

from datetime import datetime, time, timedelta

from sqlalchemy import and_, func, select
from sqlalchemy.orm import joinedload

from portal.accounts.models import OFFICE_ROLES, LoginAttempt, User
from portal.certificates.models import Certificate
from portal.cooperatives.models import BoardAccount, BoardAccountStatus, Cooperative
from portal.cooperatives.policies import approved_cooperative_id
from portal.database import clock_now
from portal.events.models import Event, EventSession, EventStatus
from portal.extensions import db
from portal.i18n import office_zone
from portal.invitations.models import Invitation, InvitationAnswer
from portal.mail.queries import badge_counts
from portal.offices.scope import scoped
from portal.pagination import bounded_count
from portal.registrations.models import ACTIVE_STATUSES, Registration, RegistrationStatus
from portal.reports import figures, snapshots
from portal.revival.dates import office_today
from portal.revival.models import Contact, RatRecord, RatStatus
from portal.revival.queries import cooperatives_in_scope

SESSIONS_SHOWN = 12
KEY_FIGURES = "home.key_figures"
WEEK = timedelta(days=7)


def _local_midnight(day) -> datetime:
    return datetime.combine(day, time(0), tzinfo=office_zone())


def sessions(actor) -> dict:
    """The sessions of today and the next six days, soonest first (one statement)."""
    today = office_today()
    query = (select(EventSession).join(Event, Event.id == EventSession.event_id)
             .where(Event.status == EventStatus.PUBLISHED, EventSession.starts_at >= _local_midnight(today),
                    EventSession.starts_at < _local_midnight(today + WEEK))
             .options(joinedload(EventSession.event), joinedload(EventSession.venue))
             .order_by(EventSession.starts_at, EventSession.id).limit(SESSIONS_SHOWN))
    found = list(db.session.scalars(scoped(query, Event, actor)))
    tomorrow = _local_midnight(today + timedelta(days=1))
    return {"today": [s for s in found if s.starts_at < tomorrow],
            "week": [s for s in found if s.starts_at >= tomorrow]}


def waiting(actor) -> dict:
    """What waits for the office: each count bounded, all in one statement, and the mail's trouble
    (the navigation badge's counts). Each count reads a small index, not the country's rows: the
    pending sign-ups and the accepted invitations that announced people have partial indexes."""
    today = office_today()
    coming = Event.ends_on >= today
    named = (select(func.count(Registration.id))
             .where(Registration.event_id == Invitation.event_id,
                    Registration.cooperative_id == Invitation.cooperative_id,
                    Registration.status.in_(ACTIVE_STATUSES)).scalar_subquery())
    claims = scoped(select(BoardAccount.id).where(BoardAccount.status == BoardAccountStatus.PENDING),
                    BoardAccount, actor)
    signups = scoped(select(Registration.id).join(Event, Event.id == Registration.event_id)
                     .where(Registration.status == RegistrationStatus.PENDING, coming), Event, actor)
    names_owed = scoped(select(Invitation.id).join(Event, Event.id == Invitation.event_id)
                        .where(Invitation.answer == InvitationAnswer.ACCEPTED, Invitation.attendee_count > 0,
                               Invitation.attendee_count > named, coming), Event, actor)
    rats = cooperatives_in_scope(select(RatRecord.id).join(Cooperative, Cooperative.id == RatRecord.cooperative_id)
                                 .where(RatRecord.status == RatStatus.SUBMITTED), actor)
    steps = cooperatives_in_scope(select(Contact.id).join(Cooperative, Cooperative.id == Contact.cooperative_id)
                                  .where(Contact.next_step.is_not(None), Contact.next_step_done_at.is_(None),
                                         Contact.next_step_due <= today), actor)
    values = db.session.execute(select(*(bounded_count(q) for q in (claims, signups, names_owed, rats, steps)))).one()
    counts = dict(zip(("claims", "signups", "names_owed", "rats", "steps"), values, strict=True))
    counts["mail"] = badge_counts(actor)["total"]
    return counts


def key_figures(actor) -> dict:
    """This year's figures: cooperatives reached and that took part (the inactive among them),
    events, participants (two statements, the reports' own, cached as the reports are)."""
    filters = figures.Filters.year(office_today().year)
    figures_of_year, as_of = snapshots.read(KEY_FIGURES, filters, actor, lambda: count_key_figures(filters, actor))
    return {**figures_of_year, "as_of": as_of}


def count_key_figures(filters, actor) -> dict:
    reach = figures.reach(filters, actor)
    trainings = figures.trainings(filters, actor)
    return {"year": filters.begins.year,
            "cooperatives": sum(r["cooperatives"] for r in reach), "reached": sum(r["reached"] for r in reach),
            "took_part": sum(r["took_part"] for r in reach),
            "inactive_took_part": sum(r["inactive_took_part"] for r in reach),
            "events": sum(r["events"] for r in trainings), "participants": sum(r["participants"] for r in trainings)}


def accounts_and_mail(actor) -> dict:
    """For the administrator: the office's accounts, failed logins of the last week, mail failing
    or retrying (two statements; the mail's own counts through ``mail.queries``)."""
    week_ago = clock_now() - WEEK
    staff = scoped(select(User.id).where(User.role.in_(OFFICE_ROLES), User.is_active_account), User, actor)
    failed_logins = scoped(select(LoginAttempt.id).join(User, User.id == LoginAttempt.user_id)
                           .where(LoginAttempt.is_success.is_(False), LoginAttempt.attempted_at >= week_ago),
                           User, actor)
    values = db.session.execute(select(*(bounded_count(q) for q in (staff, failed_logins)))).one()
    return {"staff": values[0], "failed_logins": values[1], **badge_counts(actor)}


def board(actor) -> dict | None:
    """The board's cooperative: open invitations, coming registrations, certificates, its latest
    RAT record (two statements); None without an approved claim."""
    cooperative_id = approved_cooperative_id(actor)
    if cooperative_id is None:
        return None
    today = office_today()
    open_invitations = (select(Invitation.id).join(Event, Event.id == Invitation.event_id)
                        .where(Invitation.cooperative_id == cooperative_id, Invitation.answer.is_(None),
                               Event.status == EventStatus.PUBLISHED, Event.ends_on >= today))
    coming = (select(Registration.id).join(Event, Event.id == Registration.event_id)
              .where(Registration.cooperative_id == cooperative_id, Registration.status.in_(ACTIVE_STATUSES),
                     Event.ends_on >= today))
    certificates = (select(Certificate.id).join(Registration, Registration.id == Certificate.registration_id)
                    .where(Registration.cooperative_id == cooperative_id, Certificate.revoked_at.is_(None)))
    latest = (select(RatRecord).where(RatRecord.cooperative_id == cooperative_id)
              .order_by(RatRecord.book_year.desc()).limit(1).subquery())
    row = db.session.execute(
        select(bounded_count(open_invitations), bounded_count(coming), bounded_count(certificates),
               latest.c.book_year, latest.c.status, latest.c.is_held)
        .select_from(Cooperative).outerjoin(latest, and_(latest.c.cooperative_id == Cooperative.id))
        .where(Cooperative.id == cooperative_id)).one()
    return {"cooperative_id": cooperative_id, "invitations": row[0], "registrations": row[1], "certificates": row[2],
            "rat_year": row[3], "rat_status": RatStatus(row[4]) if row[4] else None, "rat_held": row[5]}
