"""Where the portal works: provinces, their regencies (kabupaten and kota), and the offices
(Dinas) that each cover some regencies. Districts (kecamatan) belong to a regency
(``portal/cooperatives/models.py``); a cooperative belongs to the office covering its district."""

from datetime import datetime

from sqlalchemy import Column, ForeignKey, LargeBinary, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.database import UTCDateTime, metadata, utcnow
from portal.extensions import db

DEFAULT_LETTER_PATTERN = "{seq:03d}/DISKOP/{roman_month}/{year}"

# The zones an Indonesian office works in, with the name it goes by.
OFFICE_ZONES = {"Asia/Jakarta": "WIB", "Asia/Makassar": "WITA", "Asia/Jayapura": "WIT"}


class Province(db.Model):
    __tablename__ = "provinces"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)

    regencies: Mapped[list["Regency"]] = relationship(back_populates="province", order_by="Regency.name")

    def __str__(self) -> str:
        return self.name


class Regency(db.Model):
    """A kabupaten or kota; reference data."""

    __tablename__ = "regencies"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    province_id: Mapped[int] = mapped_column(ForeignKey("provinces.id"), index=True)

    province: Mapped[Province] = relationship(back_populates="regencies")

    def __str__(self) -> str:
        return self.name


# Which regencies an office covers (a regency is covered by one office).
office_regencies = Table(
    "office_regencies",
    metadata,
    Column("office_id", ForeignKey("offices.id", ondelete="CASCADE"), primary_key=True),
    Column("regency_id", ForeignKey("regencies.id"), primary_key=True, unique=True),
)


class Office(db.Model):
    """A cooperatives office (Dinas): its letterhead, signatory, letter numbering, time zone,
    staff, events and the cooperatives of the regencies it covers. An office with a
    ``province_id`` is that province's office: it reads the offices covering its regencies."""

    __tablename__ = "offices"

    id: Mapped[int] = mapped_column(primary_key=True)
    office_name: Mapped[str] = mapped_column(String(200))
    parent_body: Mapped[str] = mapped_column(String(200), default="Pemerintah Kabupaten Kupang")
    address: Mapped[str] = mapped_column(Text)
    phone: Mapped[str | None] = mapped_column(String(40))
    email: Mapped[str | None] = mapped_column(String(254))
    city: Mapped[str] = mapped_column(String(80), default="Oelamasi")
    # The images (up to a megabyte each) are read only where printed or shown, together, not with
    # the office every page loads for its zone and name.
    logo: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True, deferred_group="images")
    logo_mimetype: Mapped[str | None] = mapped_column(String(40))
    # The signatory's signature and the office stamp, PNGs with transparency, drawn again on upload
    # (settings.services.checked_mark_image); letters and certificates carry them when present.
    signature_image: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True, deferred_group="images")
    stamp_image: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True, deferred_group="images")
    signatory_name: Mapped[str] = mapped_column(String(120))
    signatory_title: Mapped[str] = mapped_column(String(200))
    signatory_nip: Mapped[str | None] = mapped_column(String(18))
    letter_number_pattern: Mapped[str] = mapped_column(String(120), default=DEFAULT_LETTER_PATTERN)
    # An IANA zone (Asia/Jakarta WIB, Asia/Makassar WITA, Asia/Jayapura WIT); None follows the
    # deployment's PORTAL_TIMEZONE (the first office, so a one-office portal keeps its setting).
    timezone: Mapped[str | None] = mapped_column(String(40))
    province_id: Mapped[int | None] = mapped_column(ForeignKey("provinces.id"), index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    regencies: Mapped[list[Regency]] = relationship(secondary=office_regencies, order_by=Regency.name)
    province: Mapped[Province | None] = relationship()

    @property
    def name(self) -> str:
        return self.office_name

    @property
    def zone(self) -> str:
        """The zone its times are shown in."""
        from flask import current_app

        return self.timezone or current_app.config["PORTAL_TIMEZONE"]

    @property
    def is_province_office(self) -> bool:
        return self.province_id is not None

    @property
    def audit_label(self) -> str:
        return self.office_name

    def __str__(self) -> str:
        return self.office_name


def first_office_id(context) -> int | None:
    """A column default: the first office, for a row written without one (the services name it)."""
    from sqlalchemy import func, select

    return context.connection.scalar(select(func.min(Office.id)))


class LetterSequence(db.Model):
    """The last letter number an office gave out in a year. Numbers are taken with one atomic
    upsert, so two organisers sending at once never share one, and a number is never given out
    twice; each office counts its own."""

    __tablename__ = "letter_sequences"

    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id", ondelete="CASCADE"), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last_number: Mapped[int] = mapped_column(default=0)
