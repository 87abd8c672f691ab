"""States and kinds as enums that know how they read.

Every capability's states are enums stored by value (``database.enum_type``). A template asks an
enum which member it is by name, ``event.status.is_published``, never by comparing its value
with a string; a labelled enum carries the translatable label people read, ``event.status.label``,
so no capability keeps another's labels in a dictionary of its own.

    class EventStatus(LabelledEnum):
        DRAFT = "draft", _l("Draft")
"""

import enum


class StateEnum(enum.StrEnum):
    """``member.is_<name>`` is True for that member: ``EventStatus.DRAFT.is_draft``. Asking for a
    name the enum does not have is an AttributeError, so a typo does not read as False."""

    def __getattr__(self, name: str):
        if name.startswith("is_") and name[3:].upper() in type(self).__members__:
            return self.name == name[3:].upper()
        raise AttributeError(f"{type(self).__name__!r} member has no attribute {name!r}")


class LabelledEnum(StateEnum):
    """A state or kind with the label people read, lazily translated into their language."""

    def __new__(cls, value: str, label):
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        return member

    @classmethod
    def choices(cls, blank=None) -> list[tuple[str, object]]:
        """``(value, label)`` for a select field, after a ``("", blank)`` choice when given."""
        return ([("", blank)] if blank else []) + [(member.value, member.label) for member in cls]
