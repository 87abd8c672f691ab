from datetime import datetime

from sqlalchemy import LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from portal.database import UTCDateTime, utcnow
from portal.extensions import db

DEFAULT_LETTER_PATTERN = "{seq:03d}/DISKOP/{roman_month}/{year}"


class OfficeSettings(db.Model):
    """The office's one row of settings, used on letters and certificates."""

    __tablename__ = "office_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    office_name: Mapped[str] = mapped_column(String(200))
    parent_body: Mapped[str] = mapped_column(String(200), default="Pemerintah Kabupaten Kupang")
    address: Mapped[str] = mapped_column(Text)
    phone: Mapped[str | None] = mapped_column(String(40))
    email: Mapped[str | None] = mapped_column(String(254))
    city: Mapped[str] = mapped_column(String(80), default="Oelamasi")
    logo: Mapped[bytes | None] = mapped_column(LargeBinary)
    logo_mimetype: Mapped[str | None] = mapped_column(String(40))
    signatory_name: Mapped[str] = mapped_column(String(120))
    signatory_title: Mapped[str] = mapped_column(String(200))
    signatory_nip: Mapped[str | None] = mapped_column(String(18))
    letter_number_pattern: Mapped[str] = mapped_column(String(120), default=DEFAULT_LETTER_PATTERN)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    @property
    def audit_label(self) -> str:
        return self.office_name


class LetterSequence(db.Model):
    """The last letter number given out in a year. Numbers are taken with one atomic upsert, so two
    organisers sending at once never share one, and a number is never given out twice."""

    __tablename__ = "letter_sequences"

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last_number: Mapped[int] = mapped_column(default=0)
