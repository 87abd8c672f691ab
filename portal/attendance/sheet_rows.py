"""The attendance sheet's rows as HTML, written in Python: a session of hundreds is listed whole
(the offline sheet needs it), and a template loop escaping every id, value and label of every
button of every row cost most of the page. The same markup as the template would write: names
and cooperatives escaped, the rest known to be safe (numbers, the marks' values, labels escaped
once)."""

from flask_babel import gettext as _
from markupsafe import Markup, escape

from portal.attendance.models import AttendanceMark
from portal.i18n import format_local_time


def sheet_rows(rows) -> Markup:
    """``<li>`` per ``queries.SheetRow``: name (and a walk-in badge), arrival time, cooperative, and
    one button per mark, the marked one alone with aria-pressed (the colours follow it)."""
    buttons = [(mark.value, str(escape(str(mark.label)))) for mark in AttendanceMark]
    badge = f' <small class="badge text-bg-light border fw-normal">{escape(_("Walk-in"))}</small>'
    pressed = ' aria-pressed="true"'
    parts = []
    for row in rows:
        rid, mark = row.registration_id, row.mark.value if row.mark else ""
        name = escape(row.full_name)
        arrived = escape(format_local_time(row.arrived_at)) if row.arrived_at else ""
        marks = "".join(f'<button name="set" value="{rid}:{value}"{pressed if value == mark else ""}>{label}</button>'
                        for value, label in buttons)
        code = f' data-code="{escape(row.check_in_code)}"' if row.check_in_code else ""
        parts.append(f'<li class="sheet-row" id="r{rid}" data-mark="{mark}"{code}>'
                     f'<b>{name}{badge if row.is_walk_in else ""}</b>'
                     f"<small data-arrived>{arrived}</small><small>{escape(row.affiliation)}</small>\n"
                     f'<span role="group" aria-label="{name}">{marks}</span></li>\n')
    return Markup("".join(parts))  # noqa: S704 - names and cooperatives escaped above, the rest numbers and enum values
