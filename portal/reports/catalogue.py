"""The report pages: for each report its title, what it counts, and its figures as one table (a
header and rows of plain values, in the reader's language) with the chart drawn from the same
rows. The page, the CSV and XLSX, the PDF and the chart read this one table, so they agree."""

from dataclasses import dataclass, field

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from portal.i18n import office_zone
from portal.reports import figures
from portal.reports.figures import Filters
from portal.revival.funnel import STAGES


@dataclass
class Table:
    header: list[str]
    rows: list[list]
    chart_title: str = ""
    chart_labels: list[str] = field(default_factory=list)
    chart_series: dict[str, list[float]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    more: list["Table"] = field(default_factory=list)  # tables under the first, each with its title
    title: str = ""

    def chart_top(self, bars: int) -> tuple[list[str], dict[str, list[float]]]:
        """The chart's labels and series kept to the ``bars`` groups largest in the first series
        (in their order), so a province's or the country's chart stays readable."""
        if len(self.chart_labels) <= bars:
            return self.chart_labels, self.chart_series
        first = next(iter(self.chart_series.values()))
        keep = sorted(sorted(range(len(first)), key=lambda i: -first[i])[:bars])
        return ([self.chart_labels[i] for i in keep],
                {name: [values[i] for i in keep] for name, values in self.chart_series.items()})


@dataclass(frozen=True)
class Report:
    name: str
    title: object
    summary: object
    build: object  # (filters, actor) -> Table


def _label(value) -> str:
    return str(value.label) if value is not None else _("Not recorded")


def _by_office(header: list, body: list[list], rows: list[dict], shown: bool) -> tuple[list, list[list]]:
    """``header`` and ``body`` with the office as first column when ``shown``."""
    if not shown:
        return header, body
    return [_("Office"), *header], [[row["office"], *line] for row, line in zip(rows, body, strict=True)]


def _summed(labels: list[str], series: dict[str, list]) -> tuple[list[str], dict[str, list]]:
    """The chart's bars with equal labels added up (the same programme area in two offices)."""
    order = list(dict.fromkeys(labels))
    return order, {name: [sum(v for label, v in zip(labels, values, strict=True) if label == key) for key in order]
                   for name, values in series.items()}


def _reach(filters: Filters, actor) -> Table:
    rows = figures.reach(filters, actor)
    several = figures.reads_several_offices(actor)
    header = [_("District"), _("Type"), _("Cooperatives"), _("Inactive"), _("Reached"), _("Answered"),
              _("Took part"), _("Inactive, reached"), _("Inactive, took part"), _("Never reached")]
    body = [[r["district"], _label(r["type"]), r["cooperatives"], r["inactive"], r["reached"], r["answered"],
             r["took_part"], r["inactive_reached"], r["inactive_took_part"], r["never_reached"]] for r in rows]
    header, body = _by_office(header, body, rows, several)
    totals = {}
    for r in rows:  # the districts' totals for the chart: a few dozen grouped rows, not data rows
        # Two offices may each have an "Amarasi": the office names the bar then.
        total = totals.setdefault(f"{r['district']} ({r['office']})" if several else r["district"], [0, 0, 0])
        total[0] += r["reached"]
        total[1] += r["took_part"]
        total[2] += r["never_reached"]
    return Table(header, body, _("Cooperatives reached per district"), list(totals),
                 {_("Reached"): [t[0] for t in totals.values()], _("Took part"): [t[1] for t in totals.values()],
                  _("Never reached"): [t[2] for t in totals.values()]},
                 notes=[_("Reached: invited to, or someone registered for, an event in the period. Took part: "
                          "someone of it was marked present or late at a session.")])


def _revival(filters: Filters, actor) -> Table:
    """Rows are the funnel's stages; a column per office side by side (and their total) when the
    reader reads several."""
    rows = figures.revival(filters.begins.year, actor)
    labels = {"cohort": _("Inactive on 1 January"), **{stage: str(label) for stage, label in STAGES}}
    stages = ["cohort", *(stage for stage, _label in STAGES)]
    offices = dict.fromkeys((r["office_id"], r["office"]) for r in rows)  # by id: two may share a name
    counts = {(r["office_id"], r["stage"]): r["cooperatives"] for r in rows}
    totals = [sum(counts.get((office_id, stage), 0) for office_id, _name in offices) for stage in stages]
    if figures.reads_several_offices(actor):
        header = [_("Stage"), *(name for _id, name in offices), _("Total")]
        body = [[labels[stage], *(counts.get((office_id, stage), 0) for office_id, _name in offices), total]
                for stage, total in zip(stages, totals, strict=True)]
    else:
        header, body = [_("Stage"), _("Cooperatives")], [[labels[stage], total]
                                                         for stage, total in zip(stages, totals, strict=True)]
    return Table(header, body, _("Inactive cooperatives brought back, %(year)d", year=filters.begins.year),
                 [labels[stage] for stage in stages], {_("Cooperatives"): totals},
                 notes=[_("The cooperatives inactive at the start of the year of the period's first day.")])


def _trainings(filters: Filters, actor) -> Table:
    rows = figures.trainings(filters, actor)
    header = [_("Kind"), _("Programme area"), _("Events"), _("Seats offered"), _("Seats filled"),
              _("Participants"), _("Certificates")]
    body = [[_label(r["kind"]), _label(r["program_area"]) if r["program_area"] else "—", r["events"], r["seats"],
             r["filled"], r["participants"], r["certificates"]] for r in rows]
    labels, series = _summed([row[1] if row[1] != "—" else row[0] for row in body],
                             {_("Events"): [r["events"] for r in rows],
                              _("Participants"): [r["participants"] for r in rows]})
    header, body = _by_office(header, body, rows, figures.reads_several_offices(actor))
    return Table(header, body, _("Events and participants per programme area"), labels, series)


def _attendance(filters: Filters, actor) -> Table:
    rows = figures.attendance(filters, actor)
    header = [_("Event"), _("Starts on"), _("Registered"), _("Attended"), _("No-shows"), _("Attendance rate")]
    body = [[r["event"], r["starts_on"], r["registered"], r["attended"], r["no_shows"], r["rate"]] for r in rows]
    no_shows = figures.no_shows_by_cooperative(filters, actor)
    sessions = figures.session_attendance(filters, actor)
    several = figures.reads_several_offices(actor)
    header, body = _by_office(header, body, rows, several)
    by_cooperative = Table(*_by_office([_("Cooperative"), _("No-shows")],
                                       [[r["cooperative"], r["no_shows"]] for r in no_shows], no_shows, several),
                           title=_("No-shows by cooperative"))
    zone = office_zone()
    per_session = [[r["event"], f"{r['number']}/{r['sessions']}", r["starts_at"].astimezone(zone).date(),
                    r["registered"], r["attended"], r["rate"]] for r in sessions]
    by_session = Table(*_by_office([_("Event"), _("Session"), _("Date"), _("Registered"), _("Attended"),
                                    _("Attendance rate")], per_session, sessions, several),
                       title=_("Attendance per session"))
    return Table(header, body, _("Attendance per event"), [r["event"] for r in rows],
                 {_("Registered"): [r["registered"] for r in rows], _("Attended"): [r["attended"] for r in rows]},
                 notes=[_("Attended: marked present or late at one session at least. No-show: held a seat and "
                          "never came. Per session: who was marked present or late at that session, of the "
                          "people holding a seat.")], more=[by_cooperative, by_session])


def _participants(filters: Filters, actor) -> Table:
    rows = figures.participants(filters, actor)
    body = [[_label(r["position"]), _label(r["sex"]), r["people"]] for r in rows]
    several = figures.reads_several_offices(actor)
    by_sex: dict[str, int] = {}
    # Side by side, a person who came to two offices' events is in both offices' rows: the chart
    # counts each person once, across the offices.
    for r in figures.participants(filters, actor, by_office=False) if several else rows:
        by_sex[_label(r["sex"])] = by_sex.get(_label(r["sex"]), 0) + r["people"]
    header, body = _by_office([_("Position"), _("Sex"), _("People")], body, rows, several)
    return Table(header, body, _("People who took part, by sex"), list(by_sex),
                 {_("People"): list(by_sex.values())},
                 notes=[_("Sex is counted where it was recorded; it is never required.")])


REPORTS = {report.name: report for report in (
    Report("reach", _l("Reach"), _l("Cooperatives invited, that answered and took part, by district and type."),
           _reach),
    Report("revival", _l("Revival"), _l("The funnel of the inactive cooperatives."), _revival),
    Report("trainings", _l("Trainings"), _l("Events per programme area, seats, participants and certificates."),
           _trainings),
    Report("attendance", _l("Attendance"), _l("Attendance per event and no-shows by cooperative."), _attendance),
    Report("participants", _l("Participants"), _l("People who took part, by position and sex."), _participants),
)}
