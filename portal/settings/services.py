import io
from datetime import date
from types import SimpleNamespace

from flask_babel import gettext as _
from PIL import Image

from portal.audit.services import record_change, snapshot
from portal.database import conflict_insert
from portal.errors import RuleViolation
from portal.extensions import db
from portal.offices.context import current_office, get_office
from portal.offices.models import LetterSequence, Office
from portal.seams import REPLY_TO, register

EDITABLE_FIELDS = [
    "office_name", "parent_body", "address", "phone", "email", "city",
    "signatory_name", "signatory_title", "signatory_nip", "letter_number_pattern",
]
LOGO_TYPES = {b"\x89PNG\r\n\x1a\n": "image/png", b"\xff\xd8\xff": "image/jpeg"}
MAX_LOGO_BYTES = 1024 * 1024
# Printed 2.2 cm high, a logo needs a few hundred pixels; one far larger costs every process that
# prints it hundreds of megabytes to decode (documents/pdf.py scales it once per process).
MAX_LOGO_SIDE = 6000
# The signature and the stamp placed on letters and certificates.
MARK_FIELDS = ("signature_image", "stamp_image")
MAX_MARK_BYTES = 512 * 1024
MAX_MARK_SIDE = 2000
MIN_MARK_SIDE = 60
ROMAN_MONTHS = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"]


def get_office_settings(office: Office | None = None) -> Office:
    """The settings of ``office``, or of the office in use (``offices.context.current_office``):
    the first office, created with the Kupang defaults the first time it is asked for."""
    return office if office is not None else current_office()


SNAPSHOT_FIELDS = ["office_name", "parent_body", "address", "phone", "email", "city",
                   "signatory_name", "signatory_title", "signatory_nip"]


def office_snapshot(office: Office | None = None) -> dict:
    """The office and signatory as plain values, for a message that must print them as they were
    when it was queued."""
    settings = get_office_settings(office)
    return {name: getattr(settings, name) for name in SNAPSHOT_FIELDS} | {"id": settings.id}


def office_from_snapshot(data: dict) -> SimpleNamespace:
    """What ``office()`` gives templates, from a snapshot; the logo is today's."""
    settings = get_office(data["id"]) if data.get("id") else None
    settings = settings or get_office_settings()
    values = {name: getattr(settings, name) for name in SNAPSHOT_FIELDS} | data
    return SimpleNamespace(**values, logo=settings.logo, logo_mimetype=settings.logo_mimetype,
                           signature_image=settings.signature_image, stamp_image=settings.stamp_image,
                           timezone=settings.timezone, zone=settings.zone)


def format_letter_number(pattern: str, seq: int, day: date) -> str:
    """Fill a pattern such as ``{seq:03d}/DISKOP/{roman_month}/{year}``."""
    return pattern.format(seq=seq, year=day.year, month=day.month, roman_month=ROMAN_MONTHS[day.month - 1])


def take_letter_number(day: date, office: Office | None = None) -> str:
    """The next number of ``day``'s year for ``office`` (the office in use when None), formatted
    with its pattern; each office counts its own.

    A single ``INSERT ... ON CONFLICT DO UPDATE ... RETURNING`` takes it: the row stays locked until
    the caller's transaction ends, so a concurrent caller waits and gets the following number; a
    rolled-back caller's number was never committed and goes to the next one.
    """
    office = get_office_settings(office)
    statement = conflict_insert(db.session, LetterSequence).values(office_id=office.id, year=day.year, last_number=1)
    statement = statement.on_conflict_do_update(
        index_elements=[LetterSequence.office_id, LetterSequence.year],
        set_={"last_number": LetterSequence.last_number + 1},
    ).returning(LetterSequence.last_number)
    number = db.session.execute(statement).scalar_one()
    return format_letter_number(office.letter_number_pattern, number, day)


def _check_pattern(pattern: str) -> None:
    if "{seq" not in pattern:
        raise RuleViolation("letter_number_pattern", _("The pattern must contain {seq}, the running number."))
    try:
        format_letter_number(pattern, 1, date(2024, 1, 1))
    except (KeyError, ValueError, IndexError, AttributeError):
        raise RuleViolation(
            "letter_number_pattern",
            _("The pattern may only use {seq}, {year}, {month} and {roman_month}."),
        ) from None


def _clean_nip(nip: str | None) -> str | None:
    if not nip:
        return None
    digits = nip.replace(" ", "")
    if not digits.isdigit() or len(digits) != 18:
        raise RuleViolation("signatory_nip", _("An NIP has 18 digits."))
    return digits


def format_nip(nip: str | None) -> str | None:
    """A civil servant's NIP as it is printed, in its four parts: date of birth, month of
    appointment, sex and number ("19700101 199503 1 001"). Anything else is left as written."""
    if not nip or len(nip) != 18 or not nip.isdigit():
        return nip
    return f"{nip[:8]} {nip[8:14]} {nip[14]} {nip[15:]}"


def logo_mimetype(data: bytes) -> str:
    if len(data) > MAX_LOGO_BYTES:
        raise RuleViolation("logo", _("The logo may be at most 1 MB."))
    mimetype = next((mimetype for magic, mimetype in LOGO_TYPES.items() if data.startswith(magic)), None)
    if mimetype is None:
        raise RuleViolation("logo", _("The logo must be a PNG or JPEG image."))
    try:
        with Image.open(io.BytesIO(data)) as image:  # reads the header only
            size = image.size
    except Exception:  # noqa: BLE001 (an unreadable header: the magic bytes decided, as before)
        size = (0, 0)
    if max(size) > MAX_LOGO_SIDE:
        raise RuleViolation("logo", _("The logo may be at most %(side)d pixels a side.", side=MAX_LOGO_SIDE))
    return mimetype


def checked_mark_image(data: bytes, field: str) -> bytes:
    """A signature or stamp as kept: a PNG with transparency (so the letter shows through), at most
    ``MAX_MARK_BYTES`` and ``MAX_MARK_SIDE`` px a side, at least ``MIN_MARK_SIDE``; drawn again from
    its pixels, without metadata."""
    if len(data) > MAX_MARK_BYTES:
        raise RuleViolation(field, _("The image may be at most %(size)d KB.", size=MAX_MARK_BYTES // 1024))
    if not data.startswith(b"\x89PNG\r\n\x1a\n"):
        raise RuleViolation(field, _("The image must be a PNG with a transparent background."))
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            transparent = "A" in image.getbands() or "transparency" in image.info
            size = image.size
            clean = image.convert("RGBA")
    except Exception:  # noqa: BLE001 (a corrupt PNG makes Pillow raise nearly anything: refused)
        raise RuleViolation(field, _("The image must be a PNG with a transparent background.")) from None
    if not transparent:
        raise RuleViolation(field, _("The image must be a PNG with a transparent background."))
    if max(size) > MAX_MARK_SIDE or min(size) < MIN_MARK_SIDE:
        raise RuleViolation(field, _("The image must be between %(low)d and %(high)d pixels a side.",
                                     low=MIN_MARK_SIDE, high=MAX_MARK_SIDE))
    output = io.BytesIO()
    clean.save(output, "PNG", optimize=True)
    return output.getvalue()


def may_edit_settings(actor, office: Office) -> bool:
    """An office's own administrators, and administrators who manage the offices they read."""
    from portal.offices.scope import may_change, may_read
    from portal.offices.services import may_manage_offices

    return may_change(actor, office.id) or (may_manage_offices(actor) and may_read(actor, office.id))


def update_office_settings(actor, values: dict, logo: bytes | None = None, office: Office | None = None, *,
                           marks: dict | None = None) -> Office:
    """Change an office's settings (the actor's office when None). ``marks`` may hold a new
    ``signature_image`` or ``stamp_image`` (bytes) or False for one to remove."""
    settings = office if office is not None else current_office(actor)
    if actor is not None and not may_edit_settings(actor, settings):
        raise RuleViolation(None, _("You cannot change this office's settings."))
    values = {key: values[key] for key in EDITABLE_FIELDS if key in values}
    _check_pattern(values.get("letter_number_pattern", settings.letter_number_pattern))
    values["signatory_nip"] = _clean_nip(values.get("signatory_nip"))
    before = snapshot(settings, [*EDITABLE_FIELDS, "logo", *MARK_FIELDS])
    for name, data in (marks or {}).items():
        if name in MARK_FIELDS and data is False:
            setattr(settings, name, None)
        elif name in MARK_FIELDS and data:
            setattr(settings, name, checked_mark_image(data, name))
    if logo:
        settings.logo_mimetype = logo_mimetype(logo)
        settings.logo = logo
    for key, value in values.items():
        setattr(settings, key, value.strip() if isinstance(value, str) else value)
    record_change(actor, "settings.update", settings, before,
                  snapshot(settings, [*EDITABLE_FIELDS, "logo", *MARK_FIELDS]))
    return settings


def office_email() -> str | None:
    return get_office_settings().email or None


def register_template_globals(app) -> None:
    """Templates (pages, letters and emails) reach the office's settings as ``office()`` and print
    an NIP with ``|nip``; mail without a contact of its own is answered to the office's address."""
    app.jinja_env.globals["office"] = current_office
    app.jinja_env.filters["nip"] = format_nip
    register(app, REPLY_TO, office_email)
