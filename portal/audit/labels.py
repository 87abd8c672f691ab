"""How the audit log reads: the name of each action, of each kind of object and of each field, and
the values of before and after in words ("—" for nothing, yes or no, an enum's label, a time in
the office's zone). The capabilities write codes (``user.create``, ``users``, ``full_name``) so
the log can be filtered; only the page translates them. A code with no label here is shown as it
is, and ``tests/test_indonesian_pages.py`` checks that every code the portal writes has one."""

import enum
import functools
import re
from datetime import date, datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from portal.audit.services import SYSTEM_ACTOR
from portal.extensions import db
from portal.i18n import format_calendar_date, format_short_datetime

ACTIONS = {
    "api_token.created": _l("API token created"),
    "api_token.revoked": _l("API token revoked"),
    "attendance.checked_in": _l("Checked in at the door"),
    "attendance.marked": _l("Attendance marked"),
    "attendance.remaining_absent": _l("Everyone else marked absent"),
    "attendance.self_checked_in": _l("Checked in by themselves at the door"),
    "attendance.self_confirmed": _l("Self check-in confirmed"),
    "attendance.self_undone": _l("Self check-in undone"),
    "board_account.approve": _l("Board account approved"),
    "board_account.register": _l("Board account registered"),
    "board_account.reject": _l("Board account rejected"),
    "board_account.revoke": _l("Board account revoked"),
    "board_member.remove": _l("Board member removed"),
    "board_member.save": _l("Board member saved"),
    "certificate.issued": _l("Certificate issued"),
    "certificate.revoked": _l("Certificate revoked"),
    "contact.log": _l("Contact recorded"),
    "contact.step_done": _l("Next step done"),
    "cooperative.create": _l("Cooperative added"),
    "cooperative.import_create": _l("Cooperative added by import"),
    "cooperative.import_update": _l("Cooperative changed by import"),
    "cooperative.last_rat_year": _l("Year of the last RAT follows the verified RATs"),
    "cooperative.set_status": _l("Cooperative status changed"),
    "cooperative.status_reason": _l("Reason for the cooperative's status corrected"),
    "cooperative.update": _l("Cooperative changed"),
    "session.self_check_in": _l("Self check-in opened or closed"),
    "door_pass.created": _l("Door link created"),
    "door_pass.revoked": _l("Door link revoked"),
    "event.cancelled": _l("Event cancelled"),
    "event.completed": _l("Event completed"),
    "event.created": _l("Event created"),
    "event.duplicated": _l("Event duplicated"),
    "event.guest_added": _l("Guest added to the guest list"),
    "event.guest_removed": _l("Guest removed from the guest list"),
    "event.guests_added": _l("Cooperatives added to the guest list"),
    "event.published": _l("Event published"),
    "event.rescheduled": _l("Session rescheduled"),
    "event.session_added": _l("Session added"),
    "event.session_removed": _l("Session removed"),
    "event.updated": _l("Event changed"),
    "invitation.answered_for": _l("Answer recorded on the invitee's behalf"),
    "invitation.resent": _l("Invitation sent again"),
    "invitations.reminded": _l("Reminders sent"),
    "invitations.sent": _l("Invitations sent"),
    "mail.cancel": _l("Email cancelled"),
    "mail.retry": _l("Email queued again"),
    "privacy.corrected": _l("Personal data corrected on request"),
    "privacy.erased": _l("Personal data erased on request"),
    "privacy.request_decided": _l("Personal data request answered"),
    "privacy.request_made": _l("Personal data request made"),
    "privacy.retention_run": _l("Retention periods applied"),
    "privacy.settings_updated": _l("Privacy settings changed"),
    "rat.import": _l("RAT imported"),
    "rat.reactivate": _l("Made active again by its RAT"),
    "rat.save": _l("RAT recorded"),
    "rat.verify": _l("RAT verified"),
    "registration.approved": _l("Sign-up approved"),
    "minutes.agenda_add": _l("Agenda point added"),
    "minutes.agenda_remove": _l("Agenda point removed"),
    "minutes.agenda_update": _l("Agenda point changed"),
    "minutes.follow_up_add": _l("Follow-up added"),
    "minutes.follow_up_status": _l("Follow-up status changed"),
    "minutes.follow_up_update": _l("Follow-up changed"),
    "minutes.photo_add": _l("Photo added"),
    "activity_report.transport_amount": _l("Transport allowance set"),
    "activity_report.scan_upload": _l("Signed attendance sheet uploaded"),
    "minutes.photo_remove": _l("Photo removed"),
    "minutes.speaker_add": _l("Speaker added"),
    "minutes.speaker_remove": _l("Speaker removed"),
    "office.create": _l("Office added"),
    "office.update": _l("Office changed"),
    "registration.cancelled": _l("Sign-up cancelled"),
    "registration.created": _l("Participant signed up"),
    "registration.moved": _l("Waiting-list place changed"),
    "registration.promoted": _l("Moved up from the waiting list"),
    "registration.promoted_by_hand": _l("Given a seat from the waiting list"),
    "registration.rejected": _l("Sign-up rejected"),
    "registration.renewed": _l("Participant signed up again"),
    "registration.substituted": _l("Participant replaced by a substitute"),
    "registration.walk_in": _l("Walk-in recorded"),
    "settings.update": _l("Office settings changed"),
    "survey.close": _l("Evaluation closed"),
    "survey.open": _l("Evaluation opened"),
    "survey.send_links": _l("Evaluation links emailed"),
    "survey_template.update": _l("Evaluation form changed"),
    "user.activate": _l("User account activated"),
    "user.change_password": _l("Password changed"),
    "user.create": _l("User account created"),
    "user.deactivate": _l("User account deactivated"),
    "user.login": _l("Logged in"),
    "user.reset_password": _l("Password reset"),
    "user.set_role": _l("Role changed"),
    "venue.created": _l("Venue added"),
    "venue.updated": _l("Venue changed"),
}

OBJECTS = {
    "api_tokens": _l("API token"),
    "attendance_records": _l("Attendance"),
    "board_accounts": _l("Board account"),
    "board_members": _l("Board member"),
    "certificates": _l("Certificate"),
    "cooperative_contacts": _l("Contact"),
    "cooperatives": _l("Cooperative"),
    "event_agenda_items": _l("Agenda point"),
    "event_follow_ups": _l("Follow-up"),
    "event_photos": _l("Photo"),
    "event_sessions": _l("Session"),
    "event_speakers": _l("Speaker"),
    "events": _l("Event"),
    "invitation_rounds": _l("Invitation round"),
    "invitations": _l("Invitation"),
    "office_settings": _l("Office settings"),
    "offices": _l("Office"),
    "outbox_messages": _l("Email"),
    "survey_templates": _l("Evaluation form"),
    "surveys": _l("Evaluation"),
    "participants": _l("Participant"),
    "data_requests": _l("Personal data request"),
    "privacy_settings": _l("Privacy settings"),
    "rat_records": _l("RAT"),
    "registrations": _l("Registration"),
    "stored_files": _l("File"),
    "users": _l("User"),
    "venues": _l("Venue"),
}

FIELDS = {
    "absent": _l("Marked absent"),
    "address": _l("Address"),
    "audience": _l("Audience"),
    "audience_status": _l("Cooperative status"),
    "board": _l("Board"),
    "book_year": _l("Book year"),
    "cancellation_deadline_at": _l("Cancellation deadline"),
    "capacity": _l("Capacity"),
    "channel": _l("How"),
    "city": _l("City"),
    "code": _l("Code"),
    "contact_name": _l("Contact person"),
    "contact_phone": _l("Contact phone"),
    "contacted_on": _l("Date"),
    "cooperative_ids": _l("Cooperatives"),
    "cooperatives": _l("Cooperatives"),
    "description": _l("Description"),
    "district_id": _l("District (number)"),
    "document_id": _l("Document (number)"),
    "email": _l("Email"),
    "ends_at": _l("Ends"),
    "ends_on": _l("Last day"),
    "facilitator": _l("Facilitator"),
    "full_name": _l("Full name"),
    "guest": _l("Guest"),
    "held_on": _l("Date of the RAT"),
    "invitations": _l("Invitations"),
    "ip_address": _l("IP address"),
    "is_active_account": _l("Account active"),
    "is_held": _l("RAT held"),
    "is_reported_to_ods": _l("Reported to ODS"),
    "kind": _l("Kind"),
    "last_rat_year": _l("Year of the last RAT"),
    "legal_date": _l("Legal entity date"),
    "legal_number": _l("Legal entity number"),
    "letter_number": _l("Letter number"),
    "letter_number_pattern": _l("Letter number pattern"),
    "logo": _l("Logo"),
    "mark": _l("Attendance"),
    "member_count": _l("Members"),
    "members_present": _l("Members present"),
    "members_total": _l("Members in all"),
    "messages": _l("Emails"),
    "min_sessions_for_certificate": _l("Sessions needed for a certificate"),
    "name": _l("Name"),
    "new_addresses": _l("New addresses"),
    "next_step": _l("Next step"),
    "next_step_done_at": _l("Next step done"),
    "next_step_due": _l("Next step due"),
    "nik": _l("NIK koperasi"),
    "office_name": _l("Office name"),
    "organisation_name": _l("Organisation"),
    "organisations": _l("Organisations"),
    "outcome": _l("Outcome"),
    "parent_body": _l("Parent body"),
    "participant": _l("Participant"),
    "person": _l("Spoke with"),
    "phone": _l("Phone"),
    "place": _l("Where"),
    "position": _l("Position"),
    "program_area": _l("Program area"),
    "reactivation_id": _l("Status change (number)"),
    "reason": _l("Reason"),
    "registration_closes_at": _l("Registration closes"),
    "registration_opens_at": _l("Registration opens"),
    "reminder_days": _l("Reminders (days before)"),
    "requires_approval": _l("Sign-ups need approval"),
    "retried": _l("Sent again"),
    "revoked": _l("Revoked"),
    "role": _l("Role"),
    "scopes": _l("Permissions"),
    "seats": _l("Seats"),
    "seats_per_cooperative": _l("Seats per cooperative"),
    "selection": _l("Selection"),
    "sessions_attended": _l("Sessions attended"),
    "shift_days": _l("Moved by (days)"),
    "signatory_name": _l("Signatory name"),
    "signatory_nip": _l("Signatory NIP"),
    "signatory_title": _l("Signatory title"),
    "source": _l("How"),
    "source_event_id": _l("Copied from event (number)"),
    "starts_at": _l("Starts"),
    "starts_on": _l("First day"),
    "status": _l("Status"),
    "status_date": _l("Status since"),
    "status_reason": _l("Status reason"),
    "title": _l("Title"),
    "type": _l("Type"),
    "venue_id": _l("Venue (number)"),
    "village": _l("Village"),
}

# Code words stored by enums that carry no label of their own.
VALUES = {
    "admin": _l("Administrator"),
    "organiser": _l("Organiser"),
    "board": _l("Board member"),
    "pending": _l("Waiting for approval"),
    "approved": _l("Approved"),
    "rejected": _l("Rejected"),
    "revoked": _l("Revoked"),
    "sheet": _l("Attendance sheet"),
    "qr": _l("QR code"),
    "code": _l("Ticket code"),
    "walk_in": _l("Walk-in"),
    "remaining_absent": _l("Everyone else marked absent"),
    # audiences of entries written before districts, types and status combined
    "active_only": _l("Active cooperatives only"),
    "districts": _l("Cooperatives in chosen districts"),
    "types": _l("Cooperatives of chosen types"),
}

EMPTY = "—"
BYTES = re.compile(r"^<(\d+) bytes>$")  # how ``services.snapshot`` records a file


def actor_label(stored: str) -> str:
    """Who acted: the email kept on the entry, or the command line (``services.SYSTEM_ACTOR``)."""
    return _("System (command line)") if stored == SYSTEM_ACTOR else stored


def action_choices() -> list[tuple[str, str]]:
    """Every action the portal writes, as the filter offers them: the list above, not a
    ``SELECT DISTINCT`` over a log of millions (tests/test_indonesian_pages.py keeps it whole)."""
    return [(action, str(label)) for action, label in sorted(ACTIONS.items())]


def action_label(action: str) -> str:
    return str(ACTIONS.get(action, action))


def object_label(object_type: str) -> str:
    return str(OBJECTS.get(object_type, object_type))


def field_label(field: str) -> str:
    return str(FIELDS.get(field, field))


@functools.cache
def _enum_of(object_type: str, field: str) -> type[enum.Enum] | None:
    """The enum the object's model stores in ``field``, if it stores one there (the models do not
    change while the process runs, so the walk over them is made once per pair)."""
    for mapper in db.Model.registry.mappers:
        table = getattr(mapper, "local_table", None)
        if table is not None and table.name == object_type and field in table.columns:
            return getattr(table.columns[field].type, "enum_class", None)
    return None


def _code_label(object_type: str, field: str, value: str) -> str:
    enum_class = _enum_of(object_type, field)
    if enum_class is not None and value in enum_class._value2member_map_:
        label = getattr(enum_class(value), "label", None)
        if label is not None:
            return str(label)
    return str(VALUES[value]) if value in VALUES else value


def _board_member(item: str) -> str:
    """An imported board member, "chair: Yohanes Bani", with the position's label."""
    position, _sep, name = item.partition(": ")
    return f"{_code_label('board_members', 'position', position)}: {name}" if name else item


def _moment(value: str) -> str | None:
    """An ISO date or time as the page shows dates and times; None when it is neither."""
    try:
        if "T" in value:
            return format_short_datetime(datetime.fromisoformat(value))
        if len(value) == 10:
            return format_calendar_date(date.fromisoformat(value))
    except ValueError:
        return None
    return None


def value_text(object_type: str, field: str, value) -> str:
    """A before or after value in words."""
    if value is None or value == "" or value == [] or value == {}:
        return EMPTY
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, list) and field == "board":
        return ", ".join(_board_member(item) for item in value)
    if isinstance(value, list):
        return ", ".join(value_text(object_type, field, item) for item in value)
    if isinstance(value, dict):
        return "; ".join(f"{field_label(key)}: {value_text(object_type, key, item)}" for key, item in value.items())
    if isinstance(value, str) and (size := BYTES.match(value)):
        return _("a file of %(count)s bytes", count=size.group(1))
    if isinstance(value, str):
        return _moment(value) or _code_label(object_type, field, value)
    return str(value)

