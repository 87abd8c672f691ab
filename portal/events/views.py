import calendar
import hashlib
from datetime import date
from pathlib import Path
from typing import NamedTuple

from babel.dates import format_date, format_time, get_day_names
from flask import Blueprint, Response, abort, current_app, flash, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select
from werkzeug.wsgi import wrap_file

from portal.accounts.access import current_actor, public, roles
from portal.accounts.models import STAFF_ROLES
from portal.accounts.policies import is_staff
from portal.cooperatives.models import District
from portal.cooperatives.services import district_ids_for, listed_districts
from portal.database import clock_now
from portal.events import feeds, month_cache, queries, services
from portal.events.calendar import build_calendar
from portal.events.forms import (
    CancelForm,
    DuplicateForm,
    EventFilterForm,
    EventForm,
    NewEventForm,
    OrganiserFilterForm,
    SessionForm,
    parse_month,
)
from portal.events.guest_list_views import bp as guest_list_bp
from portal.events.models import Event, EventKind, EventSession, EventStatus, ProgramArea, Venue
from portal.events.venue_views import bp as venues_bp
from portal.extensions import db
from portal.forms import parse_id
from portal.i18n import format_local_time, office_zone, to_local
from portal.offices.context import office_in_use
from portal.offices.scope import check_or_404, load_or_404, scoped
from portal.pagination import paginate
from portal.transactions import Confirmation, act

bp = Blueprint("events", __name__)
bp.register_blueprint(venues_bp)
bp.register_blueprint(guest_list_bp)


@bp.app_template_filter("session_times")
def session_times(session: EventSession) -> str:
    """'09.00–12.00 WITA': the start's clock, then the end's with the zone."""
    locale = str(get_locale())
    start = format_time(to_local(session.starts_at), "HH.mm" if locale == "id" else "HH:mm", locale=locale)
    return f"{start}–{format_local_time(session.ends_at)}"


@bp.app_template_filter("local_day")
def local_day(day: date) -> str:
    """A calendar date (already the office's): 'Kamis, 1 Desember 2022'."""
    return format_date(day, "EEEE, d MMMM y", locale=str(get_locale()))


def _districts() -> list[District]:
    """The districts an organiser may aim an event at: their office's."""
    return list(db.session.scalars(scoped(select(District), District, current_actor(), write=True)
                                   .order_by(District.name)))


def _venues() -> list[Venue]:
    return list(db.session.scalars(queries.venues_query(current_actor(), write=True)))


def get_event_or_404(event_id: int) -> Event:
    """An event of an office the organiser reads (changes, for a request that changes something)."""
    return load_or_404(Event, event_id, current_actor())


def get_visible_event_or_404(event_id: int) -> Event:
    """Published, cancelled and completed events are public, whatever their office; drafts are
    their office's organisers' own: anyone else gets a 404."""
    event = db.get_or_404(Event, event_id)
    if not queries.is_visible(event):
        if not is_staff(current_actor()):
            abort(404)
        check_or_404(event, current_actor())
    return event


def _place_filters() -> dict:
    """``?office=<id>`` and ``?regency=<id>``: the public lists' and feeds' filters."""
    return {"office_id": parse_id(request.args.get("office")), "regency_id": parse_id(request.args.get("regency"))}


def _feed_url(district_ids: list[int] | None = None) -> str:
    """/events.ics of what the page shows: its office or regency, and its district when it is one
    (a country's whole feed is drawn in to ``FEED_MAX_SESSIONS``; a district's holds its year)."""
    places = _place_filters()
    return url_for("events.feed", district=district_ids[0] if district_ids and len(district_ids) == 1 else None,
                   office=places["office_id"], regency=places["regency_id"])


@bp.get("/events")
@public
def index():
    form = EventFilterForm(request.args)
    filters = {}
    if form.validate():
        filters = {"kind": EventKind(form.kind.data) if form.kind.data else None,
                   "program_area": ProgramArea(form.area.data) if form.area.data else None,
                   "district_ids": district_ids_for(form.district.data),
                   "month": parse_month(form.month.data)}
    page = paginate(queries.upcoming_query(**filters, **_place_filters()))
    taken = services.seats_taken([event.id for event in page.items])
    return render_template("events/index.html", form=form, page=page, taken=taken,
                           feed_url=_feed_url(filters.get("district_ids")),
                           districts=listed_districts(current_app.config["DISTRICT_SELECT_LIMIT"]))


class CalendarEntry(NamedTuple):
    """A session as the month calendar shows it."""

    url: str
    times: str
    title: str
    venue: str
    district: str
    is_cancelled: bool


@bp.get("/events/calendar")
@public
def month():
    today = services.local_today()
    asked = parse_month(request.args.get("month"))
    shown = asked or today.replace(day=1)
    places = _place_filters()
    # Any month is shown (each is bounded by its sessions a day); the links lead no further
    # than the feed's window, so a crawler does not walk the years.
    first, last = queries.feed_window(today)
    stamp = queries.month_stamp(shown, **places)
    following_event = queries.next_event_month(today) if asked is None and stamp is None else None
    if following_event:  # nothing this month: open on the month of the next event
        shown = following_event
        stamp = queries.month_stamp(shown, **places)
    locale = str(get_locale())
    key = (shown, places["office_id"], places["regency_id"], locale, today, str(office_zone()), stamp)
    month_html = month_cache.kept_or_rendered(key if stamp else None, lambda: _month_html(shown, today, places))
    previous = date(shown.year - (shown.month == 1), (shown.month - 2) % 12 + 1, 1)
    following = date(shown.year + (shown.month == 12), shown.month % 12 + 1, 1)
    return render_template("events/calendar.html", month_html=month_html,
                           title=format_date(shown, "LLLL y", locale=locale), feed_url=_feed_url(),
                           previous=previous if previous >= first.replace(day=1) else None,
                           following=following if following <= last else None)


def _month_html(shown: date, today: date, places: dict) -> Markup:
    """The month's sessions, a list for phones and a grid for wider screens."""
    sessions, more = queries.month_sessions(shown, **places)
    by_day = {}
    for session in sessions:  # each shown twice (the phone's list, the wide grid): worked out once
        event = session.event
        by_day.setdefault(to_local(session.starts_at).date(), []).append(CalendarEntry(
            url_for("events.show", event_id=event.id), session_times(session), event.title, session.venue.name,
            session.venue.district.name, event.status.is_cancelled))
    locale = str(get_locale())
    weekdays = [get_day_names("abbreviated", locale=locale)[day] for day in range(7)]
    return Markup(render_template(  # noqa: S704 - a template's output, escaped by Jinja
        "events/_month.html", shown=shown, today=today, by_day=by_day, more=more,
        more_url=url_for("events.index", month=shown.strftime("%Y-%m")), weekdays=weekdays,
        weeks=calendar.Calendar().monthdatescalendar(shown.year, shown.month)))


@bp.get("/events/<int:event_id>")
@public
def show(event_id: int):
    event = get_visible_event_or_404(event_id)
    seats_left = max(event.seats - services.seats_taken([event.id])[event.id], 0)
    with office_in_use(event.office):
        return render_template("events/show.html", event=event, seats_left=seats_left)


@bp.get("/events.ics")
@public
def feed():
    """Visible events from 90 days ago to a year ahead (``queries.feed_window``; nearer when that
    holds more than ``FEED_MAX_SESSIONS`` sessions, ``queries.drawn_in``), optionally of one
    district, office or regency (``?district=<id>``, ``?office=<id>``, ``?regency=<id>``); written
    as it is read, and answered 304 while unchanged."""
    district_id, places = parse_id(request.args.get("district")), _place_filters()
    version, window = feeds.current_version((district_id, places["office_id"], places["regency_id"]),
                                            lambda: queries.feed_version(district_id, **places))
    etag = hashlib.sha256(f"{db.engine.url.render_as_string()}|{version}".encode()).hexdigest()[:32]
    directory = Path(current_app.instance_path) / "feeds"
    if request.if_none_match.contains(etag):
        response = Response(status=304, headers={"Cache-Control": "no-cache"})
    elif "gzip" in request.accept_encodings and (kept := feeds.cached_feed(directory, etag, gzipped=True)):
        response = _ics(wrap_file(request.environ, kept.open("rb")), "portal-koperasi-events.ics")
        response.headers["Content-Encoding"] = "gzip"
        response.vary.add("Accept-Encoding")
    elif kept := feeds.cached_feed(directory, etag):
        response = _ics(wrap_file(request.environ, kept.open("rb")), "portal-koperasi-events.ics")
    else:
        response = _ics(feeds.written_feed(db.engine, queries.feed_query(window, district_id, **places),
                                           current_app.config["PORTAL_BASE_URL"], directory, etag),
                        "portal-koperasi-events.ics")
    response.set_etag(etag)
    return response


@bp.get("/events/<int:event_id>.ics")
@public
def event_feed(event_id: int):
    event = db.get_or_404(Event, event_id)
    if not queries.is_visible(event):
        abort(404)
    return _ics(build_calendar([event]), f"event-{event.id}.ics")


def _ics(body, filename: str) -> Response:
    return Response(body, mimetype="text/calendar",
                    headers={"Content-Disposition": f'inline; filename="{filename}"', "Cache-Control": "no-cache"})


@bp.get("/organiser/events")
@roles(*STAFF_ROLES)
def manage_index():
    form = OrganiserFilterForm(request.args)
    filters = {}
    if form.validate():
        filters = {"status": EventStatus(form.status.data) if form.status.data else None, "search": form.q.data}
    page = db.paginate(queries.organiser_query(**filters, actor=current_actor()),
                       per_page=current_app.config["PER_PAGE"], error_out=False)
    return render_template("events/manage_index.html", form=form, page=page)


@bp.route("/organiser/events/new", methods=["GET", "POST"])
@roles(*STAFF_ROLES)
def new():
    form = NewEventForm()
    form.set_districts(_districts())
    form.set_venues(_venues())

    def create() -> Event:
        event = services.create_event(current_user, form.details())
        services.add_session(current_user, event, form.day.data, form.starts.data, form.ends.data, form.venue_id.data)
        return event

    return act(create, form=form, done=lambda event: _saved(event, _("Draft saved. Add more sessions or publish it.")),
               then=lambda event: url_for("events.edit", event_id=event.id)
               ) or render_template("events/new.html", form=form)


@bp.get("/organiser/events/<int:event_id>")
@roles(*STAFF_ROLES)
def manage(event_id: int):
    event = get_event_or_404(event_id)
    return render_template("events/manage.html", event=event, cancel_form=CancelForm(prefix="cancel"),
                           duplicate_form=DuplicateForm(prefix="copy"))


def _render_edit(event: Event, form: EventForm, session_form: SessionForm):
    return render_template("events/edit.html", event=event, form=form, session_form=session_form)


def _event_form(event: Event | None = None) -> EventForm:
    """The details form: as posted, or (given ``event``) filled from the event alone."""
    form = EventForm(formdata=None) if event is not None else EventForm()
    form.set_districts(_districts())
    if event is not None:
        form.fill_from(event)
    return form


def _session_form(**kwargs) -> SessionForm:
    form = SessionForm(prefix="session", **kwargs)
    form.set_venues(_venues())
    return form


@bp.route("/organiser/events/<int:event_id>/edit", methods=["GET", "POST"])
@roles(*STAFF_ROLES)
def edit(event_id: int):
    event = get_event_or_404(event_id)
    form = _event_form(event if request.method == "GET" else None)
    return act(lambda: services.update_event(current_user, event, form.details()), form=form,
               done=lambda changed: (_saved(event, _("Changes saved.")) if changed
                                     else (_("Nothing has changed."), "info")),
               then=url_for("events.edit", event_id=event.id)
               ) or _render_edit(event, form, _session_form(formdata=None))


def _capacity_notes(event: Event) -> None:
    for venue in services.venues_too_small(event):
        flash(_("Note: %(venue)s holds %(capacity)d people, but the event has %(seats)d seats.", venue=venue.name,
                capacity=venue.capacity, seats=event.seats), "warning")


def _saved(event: Event, message: str) -> None:
    flash(message, "success")
    _capacity_notes(event)


def _session_saved(session: EventSession, changed: bool = True, message: str | None = None) -> None:
    """What an organiser is told after adding or moving a session, with a note on any clash."""
    if not changed:
        flash(_("Nothing has changed."), "info")
        return
    flash(message or _("Session rescheduled."), "success")
    for other in services.overlapping_sessions(session):
        flash(_("Note: this session overlaps with “%(title)s” in the same venue.", title=other.event.title),
              "warning")
    _capacity_notes(session.event)


@bp.post("/organiser/events/<int:event_id>/sessions")
@roles(*STAFF_ROLES)
def add_session(event_id: int):
    event = get_event_or_404(event_id)
    form = _session_form()
    return act(lambda: services.add_session(current_user, event, form.day.data, form.starts.data, form.ends.data,
                                            form.venue_id.data),
               form=form, done=lambda session: _session_saved(session, message=_("Session added.")),
               then=url_for("events.edit", event_id=event.id)
               ) or _render_edit(event, _event_form(event), form)


def _get_session_or_404(event: Event, session_id: int) -> EventSession:
    session = load_or_404(EventSession, session_id, current_actor())
    if session.event_id != event.id:
        abort(404)
    return session


@bp.route("/organiser/events/<int:event_id>/sessions/<int:session_id>", methods=["GET", "POST"])
@roles(*STAFF_ROLES)
def edit_session(event_id: int, session_id: int):
    event = get_event_or_404(event_id)
    session = _get_session_or_404(event, session_id)
    form = _session_form()
    if request.method == "GET":
        form.fill_from(session)
    return act(lambda: services.reschedule_session(current_user, event, session, form.day.data, form.starts.data,
                                                   form.ends.data, form.venue_id.data),
               form=form, done=lambda changed: _session_saved(session, changed),
               then=url_for("events.edit", event_id=event.id)
               ) or render_template("events/session.html", event=event, session=session, form=form)


@bp.post("/organiser/events/<int:event_id>/sessions/<int:session_id>/remove")
@roles(*STAFF_ROLES)
def remove_session(event_id: int, session_id: int):
    event = get_event_or_404(event_id)
    session = _get_session_or_404(event, session_id)
    return act(lambda: services.remove_session(current_user, event, session), done=_("Session removed."),
               then=url_for("events.edit", event_id=event.id))


@bp.post("/organiser/events/<int:event_id>/publish")
@roles(*STAFF_ROLES)
def publish(event_id: int):
    event = get_event_or_404(event_id)
    return act(lambda: services.publish_event(current_user, event), done=_("The event is published."),
               then=url_for("events.manage", event_id=event.id))


@bp.post("/organiser/events/<int:event_id>/complete")
@roles(*STAFF_ROLES)
def complete(event_id: int):
    event = get_event_or_404(event_id)
    back = url_for("events.manage", event_id=event.id)
    training = event.kind == EventKind.TRAINING
    consequences = [_("%(title)s is closed: no more sign-ups, cancellations or changes.", title=event.title)]
    if training:
        consequences.append(_("Certificates can then be issued to everyone whose attendance meets the threshold."))
    return act(lambda: services.complete_event(current_user, event, clock_now()),
               confirm=lambda: Confirmation(_("Mark %(title)s as completed?", title=event.title), consequences,
                                            _("Yes, mark as completed"), back),
               done=" ".join((_("The event is marked as completed."),
                              _("Next: issue the certificates on the Certificates tab.") if training else "")).strip(),
               then=back)


@bp.post("/organiser/events/<int:event_id>/cancel")
@roles(*STAFF_ROLES)
def cancel(event_id: int):
    event = get_event_or_404(event_id)
    form = CancelForm(prefix="cancel")
    back = url_for("events.manage", event_id=event.id)
    told = services.seats_taken([event.id])[event.id]
    consequences = [_("%(count)d people with a seat, and anyone on the waiting list, are told by email, with the "
                      "reason: “%(reason)s”.", count=told, reason=(form.reason.data or "").strip()),
                    _("Calendar entries show the event as cancelled; it can no longer be changed.")]
    return act(lambda: services.cancel_event(current_user, event, form.reason.data), form=form,
               confirm=lambda: Confirmation(_("Cancel %(title)s?", title=event.title), consequences,
                                            _("Yes, cancel the event"), back),
               done=_("The event is cancelled. %(count)d people with a seat, and anyone on the waiting list, are "
                      "told by email.", count=told), then=back
               ) or (render_template("events/manage.html", event=event, cancel_form=form,
                                     duplicate_form=DuplicateForm(prefix="copy", formdata=None)), 400)


@bp.post("/organiser/events/<int:event_id>/duplicate")
@roles(*STAFF_ROLES)
def duplicate(event_id: int):
    event = get_event_or_404(event_id)
    form = DuplicateForm(prefix="copy")
    return act(lambda: services.duplicate_event(current_user, event, form.shift_days.data or 0), form=form,
               done=_("A copy has been made as a draft."), then=lambda copy: url_for("events.edit", event_id=copy.id)
               ) or (render_template("events/manage.html", event=event, duplicate_form=form,
                                     cancel_form=CancelForm(prefix="cancel", formdata=None)), 400)
