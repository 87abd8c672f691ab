"""The lists staff keep, as tables for CSV and XLSX with the reports' conventions (numbers as
numbers, dates as dates, formula-safe through ``portal/documents/spreadsheets.py``): the
cooperative directory with its filters, an event's invitation tracking, the certificate register.
Each reads the list's own query; the directory streams (it may hold a country's registry)."""

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.certificates.models import Certificate
from portal.cooperatives.models import Cooperative, CooperativeStatus, CooperativeType, District
from portal.cooperatives.services import directory_query
from portal.database import streamed
from portal.events.models import Event
from portal.extensions import db
from portal.invitations.models import AnswerChannel, InvitationAnswer
from portal.invitations.queries import invitations_query
from portal.offices.scope import scoped


def _labels(enum_class) -> dict:
    return {member: str(member.label) for member in enum_class}


def directory(filters: dict, actor=None):
    """(header, rows): the directory under the page's filters, by name, read as it is written."""
    types, statuses = _labels(CooperativeType), _labels(CooperativeStatus)
    query = directory_query(actor=actor, **filters).with_only_columns(
        Cooperative.name, Cooperative.legal_number, Cooperative.legal_date, Cooperative.nik, Cooperative.type,
        District.name, Cooperative.village, Cooperative.status, Cooperative.member_count, Cooperative.last_rat_year,
        Cooperative.email, Cooperative.phone, maintain_column_froms=False)
    header = [_("Name"), _("Legal number"), _("Legal-entity date"), _("NIK koperasi"), _("Type"), _("District"),
              _("Village"), _("Status"), _("Members"), _("Last RAT"), _("Email"), _("Phone")]

    def rows():
        for row in streamed(db.engine, query):
            values = list(row)
            values[4], values[7] = types.get(values[4], values[4]), statuses.get(values[7], values[7])
            yield values

    return header, rows()


def invitation_tracking(event_id: int, filters: dict) -> tuple[list, list]:
    """(header, rows): who was invited, who answered, how, and why they declined."""
    answers, channels = _labels(InvitationAnswer), _labels(AnswerChannel)
    header = [_("Cooperative or organisation"), _("District"), _("Email"), _("Answer"), _("Answered at"),
              _("Answered by"), _("Answer channel"), _("People announced"), _("Reason for declining")]
    rows = []
    for invitation in db.session.scalars(invitations_query(event_id, **filters)):
        cooperative = invitation.cooperative
        rows.append([cooperative.name if cooperative else invitation.organisation_name,
                     cooperative.district.name if cooperative else None,
                     invitation.email or (cooperative.email if cooperative else None),
                     answers.get(invitation.answer), invitation.answered_at, invitation.answered_by_name,
                     channels.get(invitation.answer_channel), invitation.attendee_count, invitation.decline_reason])
    return header, rows


def certificate_register(begins, ends, actor=None) -> tuple[list, list]:
    """(header, rows): the certificates of the events that started in the period, by event and name."""
    query = (select(Certificate).join(Event, Event.id == Certificate.event_id)
             .where(Event.starts_on >= begins, Event.starts_on <= ends)
             .options(selectinload(Certificate.event))
             .order_by(Event.starts_on, Event.id, Certificate.full_name, Certificate.id))
    header = [_("Code"), _("Name"), _("Cooperative or organisation"), _("Event"), _("Starts on"),
              _("Sessions attended"), _("Issued at"), _("Revoked at"), _("Reason for revoking")]
    rows = [[c.display_code, c.full_name, c.affiliation, c.event.title, c.event.starts_on, c.sessions_attended,
             c.issued_at, c.revoked_at, c.revoke_reason]
            for c in db.session.scalars(scoped(query, Event, actor))]
    return header, rows
