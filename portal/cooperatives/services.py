"""The registry's rules: who sees which cooperative, edits, status, board members."""

from datetime import date
from typing import Literal

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from portal.accounts.models import Role, User
from portal.accounts.services import create_user, find_user_by_email, request_email_verification
from portal.audit.services import record_change, snapshot
from portal.cooperatives.emails import send_account_exists, send_claim_decision
from portal.cooperatives.models import (
    BoardAccount,
    BoardAccountStatus,
    BoardMember,
    BoardPosition,
    Cooperative,
    CooperativeStatus,
    CooperativeType,
    District,
    StatusChange,
)
from portal.cooperatives.policies import may_act_for
from portal.cooperatives.signals import cooperatives_renamed
from portal.database import utcnow
from portal.errors import RuleViolation
from portal.extensions import db
from portal.forms import parse_id
from portal.offices.scope import may_change, office_id_of, scoped
from portal.pagination import bounded_count

# last_rat_year is not typed: it is the latest verified RAT's book year (portal/revival/services.py).
PROFILE_FIELDS = ["name", "legal_number", "legal_date", "nik", "type", "district_id", "village", "address",
                  "member_count", "email", "phone"]
CONTACT_FIELDS = ["email", "phone", "address"]
BOARD_FIELDS = ["full_name", "position", "email", "phone"]
SORTS = {
    "name": (Cooperative.name, Cooperative.id),
    "district": (District.name, Cooperative.name, Cooperative.id),
    "members": (Cooperative.member_count.desc().nulls_last(), Cooperative.id),
    "rat": (Cooperative.last_rat_year.desc().nulls_last(), Cooperative.id),
}


def legal_number_key(legal_number: str) -> str:
    """What "the same legal number" means: upper-cased, without any spaces."""
    return "".join(legal_number.split()).upper()


def districts(actor=None, *, write: bool = False) -> list[District]:
    """The districts of the offices ``actor`` reads (or changes, for a form that assigns one)."""
    return list(db.session.scalars(scoped(select(District), District, actor, write=write).order_by(District.name)))


def listed_districts(limit: int, actor=None) -> list[District] | None:
    """The districts a filter lists, or None when there are more than ``limit`` (a province,
    the country): then the filter takes a typed name."""
    found = list(db.session.scalars(scoped(select(District), District, actor).order_by(District.name).limit(limit + 1)))
    return found if len(found) <= limit else None


def district_ids_for(value: str | None, actor=None) -> list[int] | None:
    """The districts a filter means: a district's id (chosen from the list) or its name (typed,
    in any case, in any regency the actor reads); None when the filter is empty."""
    value = " ".join((value or "").split())
    if not value:
        return None
    district_id = parse_id(value)
    if district_id:
        return [district_id]
    query = select(District.id).where(func.lower(District.name) == value.lower())
    return list(db.session.scalars(scoped(query, District, actor)))


def office_for_district(actor, district_id) -> int:
    """The office covering the district, which a cooperative there belongs to; refused when no
    office covers it, or when it is not one the actor may change."""
    district = db.session.get(District, district_id) if district_id else None
    office_id = office_id_of(district) if district is not None else None
    if office_id is None:
        raise RuleViolation("district_id", _("No office covers this district."))
    if not may_change(actor, office_id):
        raise RuleViolation("district_id", _("This district lies outside your office's regencies."))
    return office_id


def find_by_legal_number(legal_number: str) -> Cooperative | None:
    return db.session.scalar(select(Cooperative).where(Cooperative.legal_number_key == legal_number_key(legal_number)))


def search_condition(search: str):
    """Any part of the name, in any case (a trigram index on PostgreSQL), or a legal number from
    its start as its key reads it, without spaces and upper-cased (a prefix index): every
    legal number shares "AH.01" and "TAHUN", so a search inside them would read the registry."""
    condition = Cooperative.name.ilike(f"%{search.strip()}%")
    key = legal_number_key(search)
    return condition | Cooperative.legal_number_key.startswith(key, autoescape=True) if key else condition


def search_cooperatives(text: str | None, limit: int = 20, actor=None) -> list[Cooperative]:
    """The cooperatives of the offices ``actor`` reads that a picker offers for what was typed:
    part of the name or the start of the legal number (``search_condition``), by name, at most
    ``limit``. Every search-as-you-type choice of a cooperative goes through here."""
    text = (text or "").strip()
    if not text:
        return []
    return list(db.session.scalars(scoped(select(Cooperative), Cooperative, actor).where(search_condition(text))
                                   .options(selectinload(Cooperative.district))
                                   .order_by(Cooperative.name, Cooperative.id).limit(limit)))


def _filtered(query, search=None, district_ids=None, type=None, status=None):
    if search and search.strip():
        query = query.where(search_condition(search))
    if district_ids is not None:
        query = query.where(Cooperative.district_id.in_(district_ids))
    if type:
        query = query.where(Cooperative.type == CooperativeType(type))
    if status:
        query = query.where(Cooperative.status == CooperativeStatus(status))
    return query


def directory_query(search=None, district_ids=None, type=None, status=None, sort="name", actor=None):
    """The organisers' directory of the offices ``actor`` reads, filtered and sorted in SQL; the
    caller paginates."""
    query = scoped(select(Cooperative), Cooperative, actor)
    query = query.join(Cooperative.district).options(joinedload(Cooperative.district))
    query = _filtered(query, search, district_ids, type, status)
    return query.order_by(*SORTS.get(sort, SORTS["name"]))


def status_counts(search=None, district_ids=None, type=None, actor=None) -> dict[str, int]:
    """All cooperatives and those of each status under the same filters, in one query; each
    count stops past the count limit (``portal/pagination.py``)."""
    statuses = [None, *CooperativeStatus]
    mine = scoped(select(Cooperative.id), Cooperative, actor)
    counts = [bounded_count(_filtered(mine, search, district_ids, type, status))
              for status in statuses]
    values = db.session.execute(select(*counts)).one()
    return {status.value if status else "all": n for status, n in zip(statuses, values, strict=True)}


def _clean_profile(values: dict, current: Cooperative | None = None) -> dict:
    values = {key: values[key] for key in PROFILE_FIELDS if key in values}
    for key, value in values.items():
        if isinstance(value, str):
            values[key] = " ".join(value.split()) if key != "address" else value.strip()
            values[key] = values[key] or None
    if "type" in values and values["type"] is not None:
        values["type"] = CooperativeType(values["type"])
    if values.get("legal_number"):
        other = find_by_legal_number(values["legal_number"])
        if other is not None and other is not current:
            raise RuleViolation("legal_number", _("Another cooperative already has this legal-entity number."))
    if values.get("member_count") is not None and values["member_count"] < 0:
        raise RuleViolation("member_count", _("The member count cannot be negative."))
    return values


def create_cooperative(actor: User, values: dict, status: CooperativeStatus = CooperativeStatus.ACTIVE,
                       today: date | None = None) -> Cooperative:
    values = _clean_profile(values)
    office_id = office_for_district(actor, values.get("district_id"))
    cooperative = Cooperative(**values, legal_number_key=legal_number_key(values["legal_number"]), status=status,
                              status_date=today or date.today(), office_id=office_id)
    db.session.add(cooperative)
    db.session.flush()
    cooperative.status_changes.append(StatusChange(status=status, reason=None, effective_date=cooperative.status_date,
                                                   changed_by_id=actor.id if actor else None))
    record_change(actor, "cooperative.create", cooperative, None, snapshot(cooperative, PROFILE_FIELDS + ["status"]))
    return cooperative


def update_cooperative(actor: User, cooperative: Cooperative, values: dict) -> None:
    values = _clean_profile(values, current=cooperative)
    if values.get("district_id") and values["district_id"] != cooperative.district_id:
        cooperative.office_id = office_for_district(actor, values["district_id"])
    before = snapshot(cooperative, PROFILE_FIELDS)
    for key, value in values.items():
        setattr(cooperative, key, value)
    if "legal_number" in values:
        cooperative.legal_number_key = legal_number_key(values["legal_number"])
    after = snapshot(cooperative, PROFILE_FIELDS)
    if after != before:
        record_change(actor, "cooperative.update", cooperative, before, after)
    if after.get("name") != before.get("name"):
        db.session.flush()
        cooperatives_renamed.send(actor, cooperative_ids=[cooperative.id])


def set_status(actor: User, cooperative: Cooperative, status: CooperativeStatus, reason: str | None,
               effective_date: date) -> Literal["status", "reason"] | None:
    """Marks active or inactive; an inactive status needs its reason. The history has one line
    per change of status: the same status saved again adds none (a new reason corrects the
    current one in place, audited). Returns what changed: "status", "reason" or None."""
    reason = (reason or "").strip() or None
    if status == CooperativeStatus.INACTIVE and not reason:
        raise RuleViolation("reason", _("Say why the cooperative is inactive."))
    fields = ["status", "status_reason", "status_date"]
    before = snapshot(cooperative, fields)
    if status == cooperative.status:
        if reason == cooperative.status_reason:
            return None
        cooperative.status_reason = reason
        if cooperative.status_changes and cooperative.status_changes[0].status == status:
            cooperative.status_changes[0].reason = reason
        record_change(actor, "cooperative.status_reason", cooperative, before, snapshot(cooperative, fields))
        return "reason"
    cooperative.status, cooperative.status_reason, cooperative.status_date = status, reason, effective_date
    cooperative.status_changes.append(StatusChange(status=status, reason=reason, effective_date=effective_date,
                                                   changed_by_id=actor.id))
    record_change(actor, "cooperative.set_status", cooperative, before, snapshot(cooperative, fields))
    return "status"


def update_contacts(actor: User, cooperative: Cooperative, values: dict) -> None:
    """What a board member may change of their own cooperative: its contact details."""
    _require_view(actor, cooperative)
    update_cooperative(actor, cooperative, {key: values.get(key) for key in CONTACT_FIELDS})


def _require_view(actor: User, cooperative: Cooperative) -> None:
    if not may_act_for(actor, cooperative.id):
        raise PermissionError("not this user's cooperative")


def save_board_member(actor: User, cooperative: Cooperative, values: dict,
                      member: BoardMember | None = None) -> BoardMember:
    _require_view(actor, cooperative)
    values = {key: values.get(key) for key in BOARD_FIELDS}
    values["full_name"] = " ".join((values["full_name"] or "").split())
    values["position"] = BoardPosition(values["position"])
    values["email"] = (values["email"] or "").strip().lower() or None
    values["phone"] = values["phone"] or None
    before = snapshot(member, BOARD_FIELDS) if member else None
    if member is None:
        member = BoardMember(cooperative=cooperative, **values)
        db.session.add(member)
    else:
        for key, value in values.items():
            setattr(member, key, value)
    record_change(actor, "board_member.save", member, before, snapshot(member, BOARD_FIELDS))
    return member


def remove_board_member(actor: User, cooperative: Cooperative, member: BoardMember) -> None:
    _require_view(actor, cooperative)
    record_change(actor, "board_member.remove", member, snapshot(member, BOARD_FIELDS), None)
    db.session.delete(member)


# Board accounts: a board member signs up, confirms the email, and an organiser verifies the claim.

def register_board_member(full_name: str, email: str, phone: str | None, position: str, legal_number: str,
                          password: str, language: str = "id") -> BoardAccount | None:
    """Sign-up for a cooperative's board. An address that already has an account gets an email
    saying so instead, and the caller answers exactly as for a new sign-up."""
    cooperative = find_by_legal_number(legal_number)
    if cooperative is None:
        raise RuleViolation("legal_number", _("No cooperative with this legal-entity number is in the registry. "
                                              "Check the number on the deed, or contact the office."))
    existing = find_user_by_email(email)
    if existing is not None:
        send_account_exists(existing)
        return None
    user = create_user(None, email, full_name, Role.BOARD, password, phone=phone, preferred_language=language,
                       audit_office_id=cooperative.office_id)
    account = BoardAccount(user=user, cooperative=cooperative, position=BoardPosition(position),
                           status=BoardAccountStatus.PENDING)
    db.session.add(account)
    db.session.flush()
    record_change(user, "board_account.register", account)
    request_email_verification(user)
    return account


def board_account_of(user: User) -> BoardAccount | None:
    return db.session.scalar(select(BoardAccount).where(BoardAccount.user_id == user.id))


def claims_query(status: str | None = BoardAccountStatus.PENDING.value, actor=None):
    """Board claims on the cooperatives of the offices ``actor`` reads."""
    query = (scoped(select(BoardAccount), BoardAccount, actor).join(BoardAccount.user)
             .options(joinedload(BoardAccount.user),
                      joinedload(BoardAccount.cooperative).joinedload(Cooperative.district),
                      joinedload(BoardAccount.cooperative).selectinload(Cooperative.board_members))
             .order_by(BoardAccount.created_at, BoardAccount.id))
    if status:
        query = query.where(BoardAccount.status == BoardAccountStatus(status))
    return query


def _decide(actor: User, account: BoardAccount, status: BoardAccountStatus, reason: str | None, action: str) -> None:
    before = snapshot(account, ["status", "reason"])
    account.status, account.reason = status, reason
    account.decided_by_id, account.decided_at = actor.id, utcnow()
    record_change(actor, action, account, before, snapshot(account, ["status", "reason"]))


def approve_claim(actor: User, account: BoardAccount, reason: str | None = None) -> None:
    if account.status != BoardAccountStatus.PENDING:
        raise RuleViolation(None, _("This claim has already been decided."))
    if account.user.email_verified_at is None:
        raise RuleViolation(None, _("The applicant has not confirmed the email address yet."))
    _decide(actor, account, BoardAccountStatus.APPROVED, None, "board_account.approve")
    send_claim_decision(account)


def reject_claim(actor: User, account: BoardAccount, reason: str) -> None:
    if account.status != BoardAccountStatus.PENDING:
        raise RuleViolation(None, _("This claim has already been decided."))
    if not (reason or "").strip():
        raise RuleViolation("reason", _("Give the reason, so the applicant knows what to do."))
    _decide(actor, account, BoardAccountStatus.REJECTED, reason.strip(), "board_account.reject")
    send_claim_decision(account)


def revoke_board_account(actor: User, account: BoardAccount, reason: str) -> None:
    """The account keeps its login but sees nothing of the cooperative any more."""
    if account.status != BoardAccountStatus.APPROVED:
        raise RuleViolation(None, _("Only an approved account can be revoked."))
    if not (reason or "").strip():
        raise RuleViolation("reason", _("Give the reason, so the applicant knows what to do."))
    _decide(actor, account, BoardAccountStatus.REVOKED, reason.strip(), "board_account.revoke")
    send_claim_decision(account)
