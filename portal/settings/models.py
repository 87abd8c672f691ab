"""The office's settings are the office's own row now (``portal/offices/models.py``)."""

from portal.offices.models import DEFAULT_LETTER_PATTERN, LetterSequence, Office

OfficeSettings = Office

__all__ = ["DEFAULT_LETTER_PATTERN", "LetterSequence", "Office", "OfficeSettings"]
