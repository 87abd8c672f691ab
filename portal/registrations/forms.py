from flask_babel import lazy_gettext as _l

from portal.registrations.models import ParticipantPosition, RegistrationStatus

STATUS_LABELS = {
    RegistrationStatus.PENDING: _l("Awaiting approval"),
    RegistrationStatus.CONFIRMED: _l("Confirmed"),
    RegistrationStatus.WAITLISTED: _l("Waiting list"),
    RegistrationStatus.REJECTED: _l("Not approved"),
    RegistrationStatus.CANCELLED: _l("Cancelled"),
}
POSITION_LABELS = {
    ParticipantPosition.BOARD: _l("Board member"),
    ParticipantPosition.STAFF: _l("Staff"),
    ParticipantPosition.MEMBER: _l("Member"),
}
