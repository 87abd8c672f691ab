from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import DDL, JSON, ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint, event, or_, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.database import UTCDateTime, enum_type, utcnow
from portal.enums import LabelledEnum
from portal.extensions import db
from portal.offices.models import Office, Regency, office_regencies
from portal.offices.scope import scope_by

KUPANG_DISTRICTS = (
    "Amabi Oefeto", "Amabi Oefeto Timur", "Amarasi", "Amarasi Barat", "Amarasi Selatan", "Amarasi Timur",
    "Amfoang Barat Daya", "Amfoang Barat Laut", "Amfoang Selatan", "Amfoang Tengah", "Amfoang Timur",
    "Amfoang Utara", "Fatuleu", "Fatuleu Barat", "Fatuleu Tengah", "Kupang Barat", "Kupang Tengah",
    "Kupang Timur", "Nekamese", "Semau", "Semau Selatan", "Sulamu", "Taebenu", "Takari",
)


class CooperativeType(LabelledEnum):
    SAVINGS_AND_LOAN = "savings_and_loan", _l("Savings and loan (KSP)")  # Koperasi Simpan Pinjam (KSP)
    CONSUMER = "consumer", _l("Consumer")
    PRODUCER = "producer", _l("Producer")
    MARKETING = "marketing", _l("Marketing")
    SERVICES = "services", _l("Services")
    MULTI_PURPOSE = "multi_purpose", _l("Multi-purpose (KSU)")  # Koperasi Serba Usaha (KSU)


class CooperativeStatus(LabelledEnum):
    ACTIVE = "active", _l("Active")
    INACTIVE = "inactive", _l("Inactive")


class BoardPosition(LabelledEnum):
    CHAIR = "chair", _l("Chair (Ketua)")  # Ketua
    SECRETARY = "secretary", _l("Secretary (Sekretaris)")  # Sekretaris
    TREASURER = "treasurer", _l("Treasurer (Bendahara)")  # Bendahara
    SUPERVISOR = "supervisor", _l("Supervisor (Pengawas)")  # Pengawas


class BoardAccountStatus(LabelledEnum):
    PENDING = "pending", _l("Waiting for approval")
    APPROVED = "approved", _l("Approved")
    REJECTED = "rejected", _l("Rejected")
    REVOKED = "revoked", _l("Revoked")


class District(db.Model):
    """A kecamatan of a regency: reference data, loaded by the migration or ``flask
    load-districts``, never typed free-hand. Two regencies may each have an "Amarasi"."""

    __tablename__ = "districts"
    __table_args__ = (UniqueConstraint("regency_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    regency_id: Mapped[int] = mapped_column(ForeignKey("regencies.id"))

    regency: Mapped[Regency] = relationship()

    def __str__(self) -> str:
        return self.name


def office_of_district(district_id: int | None):
    """The office covering a district's regency, as a scalar subquery."""
    return (select(office_regencies.c.office_id).join(District, District.regency_id == office_regencies.c.regency_id)
            .where(District.id == district_id).scalar_subquery())


def _office_from_district(context) -> int | None:
    """A new cooperative's office: the one covering its district (``office_id`` is kept beside
    ``district_id`` so that every scoped list filters one indexed column)."""
    district_id = context.get_current_parameters().get("district_id")
    return context.connection.scalar(select(office_regencies.c.office_id).join(
        District, District.regency_id == office_regencies.c.regency_id).where(District.id == district_id))


def trigram_index(name: str, column: str) -> Index:
    """A GIN trigram index on PostgreSQL, which ``LIKE '%…%'`` and ``ILIKE`` searches use; none on
    SQLite, where a plain scan is fast enough at a regency's size (migrations/env.py compares
    such an index on its own database only)."""
    return Index(name, column, postgresql_using="gin", postgresql_ops={column: "gin_trgm_ops"}).ddl_if(
        dialect="postgresql")


class Cooperative(db.Model):
    __tablename__ = "cooperatives"
    __table_args__ = (
        Index("ix_cooperatives_district_status", "district_id", "status"),
        Index("ix_cooperatives_office_status", "office_id", "status"),
        # The directory's and every picker's search: any part of a name, a legal number from its start.
        trigram_index("ix_cooperatives_name_trgm", "name"),
        Index("ix_cooperatives_legal_number_key_prefix", "legal_number_key",
              postgresql_ops={"legal_number_key": "varchar_pattern_ops"}).ddl_if(dialect="postgresql"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    legal_number: Mapped[str] = mapped_column(String(80))
    # legal_number upper-cased without spaces: what "the same legal number" means on import.
    legal_number_key: Mapped[str] = mapped_column(String(80), unique=True)
    legal_date: Mapped[date | None]
    nik: Mapped[str | None] = mapped_column(String(40), unique=True)
    type: Mapped[CooperativeType] = mapped_column(enum_type(CooperativeType), index=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id"))
    # The office covering the district, kept here so that scoped lists filter one indexed column;
    # set from the district when the row is written (services set it when the district changes).
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"), default=_office_from_district)
    village: Mapped[str | None] = mapped_column(String(120))
    address: Mapped[str | None] = mapped_column(Text)
    member_count: Mapped[int | None]
    last_rat_year: Mapped[int | None]
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(20))
    status: Mapped[CooperativeStatus] = mapped_column(enum_type(CooperativeStatus), index=True)
    status_reason: Mapped[str | None] = mapped_column(String(255))
    status_date: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    district: Mapped[District] = relationship()
    office: Mapped[Office] = relationship()
    board_members: Mapped[list["BoardMember"]] = relationship(
        back_populates="cooperative", cascade="all, delete-orphan", order_by="BoardMember.id")
    status_changes: Mapped[list["StatusChange"]] = relationship(
        back_populates="cooperative", cascade="all, delete-orphan", order_by="StatusChange.id.desc()")

    @property
    def audit_label(self) -> str:
        return self.name


event.listen(Cooperative.__table__, "before_create",
             DDL("CREATE EXTENSION IF NOT EXISTS pg_trgm").execute_if(dialect="postgresql"))


class BoardMember(db.Model):
    """A person on the cooperative's board (pengurus) or supervisory board (pengawas)."""

    __tablename__ = "board_members"

    id: Mapped[int] = mapped_column(primary_key=True)
    cooperative_id: Mapped[int] = mapped_column(ForeignKey("cooperatives.id", ondelete="CASCADE"), index=True)
    full_name: Mapped[str] = mapped_column(String(120))
    position: Mapped[BoardPosition] = mapped_column(enum_type(BoardPosition))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(20))

    cooperative: Mapped[Cooperative] = relationship(back_populates="board_members")

    @property
    def audit_label(self) -> str:
        return self.full_name


class StatusChange(db.Model):
    """One entry of a cooperative's status history."""

    __tablename__ = "cooperative_status_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    cooperative_id: Mapped[int] = mapped_column(ForeignKey("cooperatives.id", ondelete="CASCADE"), index=True)
    status: Mapped[CooperativeStatus] = mapped_column(enum_type(CooperativeStatus))
    reason: Mapped[str | None] = mapped_column(String(255))
    effective_date: Mapped[date]
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    cooperative: Mapped[Cooperative] = relationship(back_populates="status_changes")
    changed_by = relationship("User")


class BoardAccount(db.Model):
    """A board member's claim on a cooperative, verified by an organiser. Only an approved
    claim lets the account see the cooperative."""

    __tablename__ = "board_accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    cooperative_id: Mapped[int] = mapped_column(ForeignKey("cooperatives.id", ondelete="CASCADE"), index=True)
    position: Mapped[BoardPosition] = mapped_column(enum_type(BoardPosition))
    status: Mapped[BoardAccountStatus] = mapped_column(enum_type(BoardAccountStatus), index=True)
    reason: Mapped[str | None] = mapped_column(String(255))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user = relationship("User", foreign_keys=[user_id])
    decided_by = relationship("User", foreign_keys=[decided_by_id])
    cooperative: Mapped[Cooperative] = relationship()

    @property
    def audit_label(self) -> str:
        return f"{self.user.email} → {self.cooperative.name}"


class CooperativeImport(db.Model):
    """An uploaded spreadsheet kept between its preview (dry run) and the organiser's commit."""

    __tablename__ = "cooperative_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    filename: Mapped[str] = mapped_column(String(255))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    committed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    summary: Mapped[dict | None] = mapped_column(JSON)


def _users_of(ids):
    """Staff of the offices, and board accounts claiming one of their cooperatives."""
    from portal.accounts.models import User

    claims = select(BoardAccount.user_id).join(Cooperative, Cooperative.id == BoardAccount.cooperative_id).where(
        Cooperative.office_id.in_(ids))
    return or_(User.office_id.in_(ids), User.id.in_(claims))


def _office_of_user(user) -> int | None:
    if user.office_id is not None:
        return user.office_id
    return db.session.scalar(select(Cooperative.office_id).join(
        BoardAccount, BoardAccount.cooperative_id == Cooperative.id).where(BoardAccount.user_id == user.id))


def _districts_of(ids):
    return District.regency_id.in_(select(office_regencies.c.regency_id).where(office_regencies.c.office_id.in_(ids)))


def _office_of_district(district) -> int | None:
    return db.session.scalar(select(office_regencies.c.office_id).where(
        office_regencies.c.regency_id == district.regency_id))


def _declare_scopes() -> None:
    from portal.accounts.models import User
    from portal.audit.models import AuditEntry

    scope_by(Office, Office.id)
    scope_by(AuditEntry, AuditEntry.office_id)
    scope_by(User, clause=_users_of, office_of=_office_of_user)
    scope_by(District, clause=_districts_of, office_of=_office_of_district)
    scope_by(Cooperative, Cooperative.office_id)
    scope_by(BoardMember, through=(BoardMember.cooperative_id, Cooperative))
    scope_by(StatusChange, through=(StatusChange.cooperative_id, Cooperative))
    scope_by(BoardAccount, through=(BoardAccount.cooperative_id, Cooperative))
    scope_by(CooperativeImport, through=(CooperativeImport.uploaded_by_id, User))


_declare_scopes()
