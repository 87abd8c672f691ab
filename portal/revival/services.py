"""RAT records: a board submits its own cooperative's, the office verifies it or records it
directly; ``last_rat_year`` follows the verified ones; a verified RAT lets the office bring an
inactive cooperative back ("aktifkan kembali"), as a status change linked to it.

Nothing here changes a cooperative's status by itself: the office decides, and every change is
audited."""

from datetime import date

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import exists, func, insert, literal, select, update

from portal.accounts.policies import is_staff
from portal.audit.services import record_change, snapshot
from portal.cooperatives.models import Cooperative, CooperativeStatus
from portal.cooperatives.policies import is_board_of
from portal.cooperatives.services import set_status
from portal.database import UTCDateTime, utcnow
from portal.errors import RuleViolation
from portal.extensions import db
from portal.files.services import store_upload
from portal.revival.models import RatRecord, RatSource, RatStatus

RAT_FIELDS = ["book_year", "is_held", "held_on", "members_present", "members_total", "place", "is_reported_to_ods",
              "document_id", "status"]
FIRST_BOOK_YEAR = 1950


def recent_book_years(today: date) -> tuple[int, int]:
    """The last two closed book years: on any day of 2026, 2024 and 2025 (the RAT for 2025 is
    held by the end of March 2026)."""
    return today.year - 2, today.year - 1


def rat_of(cooperative: Cooperative, book_year: int) -> RatRecord | None:
    return db.session.scalar(select(RatRecord).where(RatRecord.cooperative_id == cooperative.id,
                                                     RatRecord.book_year == book_year))


def check_rat_values(cooperative: Cooperative, values: dict, today: date) -> dict:
    """The record's values as they will be kept, or a refusal on the field that is wrong."""
    book_year = values.get("book_year")
    if book_year is None or not FIRST_BOOK_YEAR <= book_year < today.year:
        raise RuleViolation("book_year", _("Enter a book year that has ended: between %(first)d and %(last)d.",
                                           first=FIRST_BOOK_YEAR, last=today.year - 1))
    is_held = bool(values.get("is_held"))
    held_on = values.get("held_on") if is_held else None
    present, total = values.get("members_present"), values.get("members_total")
    if is_held:
        if held_on is None:
            raise RuleViolation("held_on", _("Enter the date the RAT was held."))
        if held_on > today:
            raise RuleViolation("held_on", _("The RAT date cannot be in the future."))
        if cooperative.legal_date and held_on < cooperative.legal_date:
            raise RuleViolation("held_on", _("The RAT date cannot be before the cooperative's legal-entity date "
                                             "(%(day)s).", day=cooperative.legal_date.strftime("%d/%m/%Y")))
        if held_on.year <= book_year:
            raise RuleViolation("held_on", _("The RAT for book year %(year)d is held after the year ends, "
                                             "from January %(next)d.", year=book_year, next=book_year + 1))
    if total is not None and total < 1:
        raise RuleViolation("members_total", _("The cooperative has at least one member."))
    if present is not None and present < 0:
        raise RuleViolation("members_present", _("The number present cannot be negative."))
    if present is not None and total is not None and present > total:
        raise RuleViolation("members_present", _("More members present (%(present)d) than the cooperative has "
                                                 "(%(total)d).", present=present, total=total))
    place = " ".join((values.get("place") or "").split())[:200] or None
    return {"book_year": book_year, "is_held": is_held, "held_on": held_on,
            "members_present": present if is_held else None, "members_total": total,
            "place": place if is_held else None, "is_reported_to_ods": bool(values.get("is_reported_to_ods"))}


def _require_board_or_staff(actor, cooperative: Cooperative) -> None:
    if not (is_staff(actor) or is_board_of(actor, cooperative.id)):
        raise RuleViolation("cooperative", _("You can record the RAT of your own cooperative only."))


def save_rat(actor, cooperative: Cooperative, values: dict, today: date, *, document: tuple[str, bytes] | None = None,
             source: RatSource | None = None) -> RatRecord:
    """A board's submission (awaiting verification) or the office's record (verified at once).

    A board may replace its submission until the office has verified it; the office may correct
    any record. ``document`` is ``(filename, bytes)`` of the berita acara or report, checked by its
    content; a board's submission of a held RAT needs one."""
    _require_board_or_staff(actor, cooperative)
    clean = check_rat_values(cooperative, values, today)
    record = rat_of(cooperative, clean["book_year"])
    staff = is_staff(actor)
    if record is not None and record.status.is_verified and not staff:
        raise RuleViolation("book_year", _("The office has already verified the RAT of book year %(year)d; "
                                           "contact the office to correct it.", year=clean["book_year"]))
    if not staff and clean["is_held"] and document is None and (record is None or record.document_id is None):
        raise RuleViolation("document", _("Attach the berita acara or the RAT report (PDF, JPEG or PNG)."))
    if document is not None:
        clean["document_id"] = store_upload(actor, document[0], document[1], "document").id
    before = snapshot(record, RAT_FIELDS) if record is not None else None
    if record is None:
        record = RatRecord(cooperative=cooperative, book_year=clean["book_year"], status=RatStatus.SUBMITTED,
                           source=RatSource.BOARD)
        db.session.add(record)
    for key, value in clean.items():
        setattr(record, key, value)
    record.recorded_by_id, record.recorded_at = (actor.id if actor else None), utcnow()
    record.source = source or (RatSource.OFFICE if staff else RatSource.BOARD)
    if staff:
        _mark_verified(actor, record)
    else:
        record.status, record.verified_by_id, record.verified_at = RatStatus.SUBMITTED, None, None
    db.session.flush()
    record_change(actor, "rat.save", record, before, snapshot(record, RAT_FIELDS))
    refresh_last_rat_year(actor, cooperative)
    return record


def _mark_verified(actor, record: RatRecord) -> None:
    record.status, record.verified_by_id, record.verified_at = RatStatus.VERIFIED, actor.id if actor else None, utcnow()


def verify_rat(actor, record: RatRecord) -> RatRecord:
    """The office accepts a board's submission as evidence."""
    if not is_staff(actor):
        raise RuleViolation(None, _("Only the office verifies a RAT."))
    if record.status.is_verified:
        raise RuleViolation(None, _("This RAT is already verified."))
    before = snapshot(record, RAT_FIELDS)
    _mark_verified(actor, record)
    record_change(actor, "rat.verify", record, before, snapshot(record, RAT_FIELDS))
    refresh_last_rat_year(actor, record.cooperative)
    return record


def latest_verified_year(cooperative_id: int) -> int | None:
    return db.session.scalar(select(func.max(RatRecord.book_year)).where(
        RatRecord.cooperative_id == cooperative_id, RatRecord.status == RatStatus.VERIFIED, RatRecord.is_held))


def refresh_last_rat_year(actor, cooperative: Cooperative) -> None:
    """``last_rat_year`` is the latest verified book year whose RAT was held: derived, never typed."""
    db.session.flush()
    year = latest_verified_year(cooperative.id)
    if year != cooperative.last_rat_year:
        before = snapshot(cooperative, ["last_rat_year"])
        cooperative.last_rat_year = year
        record_change(actor, "cooperative.last_rat_year", cooperative, before, snapshot(cooperative, ["last_rat_year"]))


def record_registry_years(cooperative_ids: list[int], chunk: int = 500) -> None:
    """The registry's "last RAT year" of these cooperatives (from an import of the office's list)
    as verified records, where none is kept for that book year; then ``last_rat_year`` of each is
    derived again. Set-based, a chunk at a time, for an import of thousands of rows."""
    for start in range(0, len(cooperative_ids), chunk):
        ids = cooperative_ids[start:start + chunk]
        kept = select(RatRecord.id).where(RatRecord.cooperative_id == Cooperative.id,
                                          RatRecord.book_year == Cooperative.last_rat_year)
        db.session.execute(insert(RatRecord).from_select(
            ["cooperative_id", "book_year", "is_held", "is_reported_to_ods", "status", "source", "recorded_at"],
            select(Cooperative.id, Cooperative.last_rat_year, literal(True), literal(False),
                   literal(RatStatus.VERIFIED.value), literal(RatSource.REGISTRY.value), literal(utcnow(), UTCDateTime))
            .where(Cooperative.id.in_(ids), Cooperative.last_rat_year.is_not(None), ~exists(kept))))
        latest = (select(func.max(RatRecord.book_year)).where(
            RatRecord.cooperative_id == Cooperative.id, RatRecord.status == RatStatus.VERIFIED, RatRecord.is_held)
            .scalar_subquery())
        db.session.execute(update(Cooperative).where(Cooperative.id.in_(ids)).values(last_rat_year=latest)
                           .execution_options(synchronize_session=False))
    db.session.expire_all()


def reactivation_evidence(cooperative: Cooperative, today: date) -> RatRecord | None:
    """The verified RAT of a recent book year that makes an inactive cooperative eligible to be
    active again; None when it is active or has none."""
    if cooperative.status != CooperativeStatus.INACTIVE:
        return None
    return db.session.scalar(
        select(RatRecord).where(RatRecord.cooperative_id == cooperative.id, RatRecord.status == RatStatus.VERIFIED,
                                RatRecord.is_held, RatRecord.book_year >= recent_book_years(today)[0])
        .order_by(RatRecord.book_year.desc()).limit(1))


def reactivation_reason(record: RatRecord) -> str:
    """The status change's reason; a record carried over from the registry has no date."""
    with force_locale("id"):
        if record.held_on is None:
            return _("RAT of book year %(year)d, verified", year=record.book_year)
        return _("RAT of book year %(year)d held on %(day)s, verified", year=record.book_year,
                 day=record.held_on.strftime("%d/%m/%Y"))


def reactivate(actor, record: RatRecord, today: date) -> RatRecord:
    """"Aktifkan kembali": the cooperative becomes active with this RAT as the reason; the
    status change is linked to the record and both are audited."""
    if not is_staff(actor):
        raise RuleViolation(None, _("Only the office changes a cooperative's status."))
    cooperative = record.cooperative
    if reactivation_evidence(cooperative, today) is not record:
        raise RuleViolation(None, _("This RAT does not make the cooperative eligible to be active again: it must be "
                                    "verified, held, of one of the last two book years, and the cooperative "
                                    "inactive."))
    set_status(actor, cooperative, CooperativeStatus.ACTIVE, reactivation_reason(record), today)
    db.session.flush()
    record.reactivation = cooperative.status_changes[-1]
    record_change(actor, "rat.reactivate", record, None, {"reactivation_id": record.reactivation.id,
                                                          "status": CooperativeStatus.ACTIVE.value})
    return record
