"""The minutes on the web: one page per event (speakers, notulen, follow-ups, photos) with a form
for each part, the follow-up form with its cooperative picker, and the photos themselves."""

from flask import Blueprint, abort, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.accounts.access import current_actor, roles
from portal.accounts.models import STAFF_ROLES
from portal.cooperatives.models import Cooperative
from portal.cooperatives.services import search_cooperatives
from portal.database import clock_now
from portal.events.models import Event
from portal.files.services import inline_image
from portal.forms import parse_id
from portal.minutes import queries, services
from portal.minutes.forms import (
    AgendaForm,
    FollowUpEditForm,
    FollowUpForm,
    FollowUpStatusForm,
    PhotoForm,
    SpeakerForm,
)
from portal.minutes.models import AgendaItem, EventPhoto, FollowUp, FollowUpStatus, Speaker
from portal.offices.scope import load_or_404
from portal.transactions import act

bp = Blueprint("minutes", __name__)


def _page(event: Event, status: int = 200, **forms):
    forms = {"speaker_form": SpeakerForm(formdata=None), "agenda_form": AgendaForm(formdata=None),
             "photo_form": PhotoForm(formdata=None), **forms}
    return render_template("minutes/manage.html", event=event, minutes=queries.minutes_of(event.id),
                           status_form=FollowUpStatusForm(formdata=None), **forms), status


def _event(event_id: int) -> Event:
    return load_or_404(Event, event_id, current_actor())


def _back(event: Event, part: str) -> str:
    return url_for("minutes.manage", event_id=event.id) + f"#{part}"


@bp.get("/organiser/events/<int:event_id>/minutes")
@roles(*STAFF_ROLES)
def manage(event_id: int):
    return _page(_event(event_id))


@bp.post("/organiser/events/<int:event_id>/minutes/speakers")
@roles(*STAFF_ROLES)
def add_speaker(event_id: int):
    event, form = _event(event_id), SpeakerForm()
    return act(lambda: services.add_speaker(current_user, event, form.values()), form=form,
               done=_("Speaker added."), then=_back(event, "speakers")) or _page(event, 400, speaker_form=form)


@bp.post("/organiser/minutes/speakers/<int:speaker_id>/remove")
@roles(*STAFF_ROLES)
def remove_speaker(speaker_id: int):
    speaker = load_or_404(Speaker, speaker_id, current_actor())
    event = speaker.event_id
    return act(lambda: services.remove_speaker(current_user, speaker), done=_("Speaker removed."),
               then=url_for("minutes.manage", event_id=event) + "#speakers")


@bp.post("/organiser/events/<int:event_id>/minutes/agenda")
@roles(*STAFF_ROLES)
def add_agenda_item(event_id: int):
    event, form = _event(event_id), AgendaForm()
    return act(lambda: services.add_agenda_item(current_user, event, form.values()), form=form,
               done=_("Agenda point added."), then=_back(event, "notulen")) or _page(event, 400, agenda_form=form)


@bp.route("/organiser/minutes/agenda/<int:item_id>", methods=["GET", "POST"])
@roles(*STAFF_ROLES)
def edit_agenda_item(item_id: int):
    item = load_or_404(AgendaItem, item_id, current_actor())
    event = _event(item.event_id)
    form = AgendaForm(obj=item)
    return act(lambda: services.update_agenda_item(current_user, item, form.values()), form=form,
               done=_("Agenda point saved."), then=_back(event, "notulen")
               ) or render_template("minutes/agenda_item.html", event=event, item=item, form=form)


@bp.post("/organiser/minutes/agenda/<int:item_id>/remove")
@roles(*STAFF_ROLES)
def remove_agenda_item(item_id: int):
    item = load_or_404(AgendaItem, item_id, current_actor())
    event = item.event_id
    return act(lambda: services.remove_agenda_item(current_user, item), done=_("Agenda point removed."),
               then=url_for("minutes.manage", event_id=event) + "#notulen")


@bp.route("/organiser/events/<int:event_id>/minutes/follow-ups/new", methods=["GET", "POST"])
@roles(*STAFF_ROLES)
def new_follow_up(event_id: int):
    """A decision and its follow-up; a cooperative owner is found by the registry search."""
    event = _event(event_id)
    form = FollowUpForm()
    cooperative_id = parse_id(request.values.get("cooperative_id"))
    cooperative = load_or_404(Cooperative, cooperative_id, current_actor(), write=False) if cooperative_id else None
    if request.method == "GET":
        form.due_on.data = form.due_on.data or event.ends_on
        if cooperative is not None:
            form.owner_kind.data, form.cooperative_id.data = "cooperative", str(cooperative.id)
    search = " ".join(request.args.get("q", "").split())[:100]
    return act(lambda: services.add_follow_up(current_user, event, form.values()), form=form,
               done=_("Follow-up added."), then=_back(event, "follow-ups")
               ) or (render_template("minutes/follow_up_form.html", event=event, form=form, cooperative=cooperative,
                                     search=search, found=search_cooperatives(search, actor=current_actor())),
                     400 if form.errors else 200)


@bp.route("/organiser/minutes/follow-ups/<int:follow_up_id>", methods=["GET", "POST"])
@roles(*STAFF_ROLES)
def edit_follow_up(follow_up_id: int):
    """Change a follow-up under the rules of a new one; another cooperative through the search."""
    follow_up = load_or_404(FollowUp, follow_up_id, current_actor())
    event = _event(follow_up.event_id)
    form = FollowUpEditForm(obj=follow_up)
    cooperative_id = parse_id(request.values.get("cooperative_id"))
    if request.method == "GET":
        form.owner_kind.data, form.status.data = follow_up.owner_kind.value, follow_up.status.value
        form.cooperative_id.data = str(follow_up.cooperative_id or "")
        if cooperative_id:
            form.owner_kind.data, form.cooperative_id.data = "cooperative", str(cooperative_id)
    cooperative_id = parse_id(form.cooperative_id.data) if form.owner_kind.data == "cooperative" else None
    cooperative = load_or_404(Cooperative, cooperative_id, current_actor(), write=False) if cooperative_id else None
    search = " ".join(request.args.get("q", "").split())[:100]
    return act(lambda: services.update_follow_up(current_user, follow_up, form.values(), clock_now()), form=form,
               done=_("Follow-up saved."), then=_back(event, "follow-ups")
               ) or (render_template("minutes/follow_up_form.html", event=event, form=form, cooperative=cooperative,
                                     follow_up=follow_up, search=search,
                                     found=search_cooperatives(search, actor=current_actor())),
                     400 if form.errors else 200)


@bp.post("/organiser/minutes/follow-ups/<int:follow_up_id>/status")
@roles(*STAFF_ROLES)
def follow_up_status(follow_up_id: int):
    follow_up = load_or_404(FollowUp, follow_up_id, current_actor())
    try:
        status = FollowUpStatus(request.form.get("status"))
    except ValueError:
        abort(400)
    back = request.form.get("back") == "home"
    then = url_for("main.index") if back else url_for("minutes.manage", event_id=follow_up.event_id) + "#follow-ups"
    return act(lambda: services.set_follow_up_status(current_user, follow_up, status, clock_now()),
               done=_("Follow-up status saved."), then=then)


@bp.post("/organiser/events/<int:event_id>/minutes/photos")
@roles(*STAFF_ROLES)
def add_photo(event_id: int):
    event, form = _event(event_id), PhotoForm()
    filename, data = form.upload()
    return act(lambda: services.add_photo(current_user, event, filename, data, form.caption.data), form=form,
               done=_("Photo added."), then=_back(event, "photos")) or _page(event, 400, photo_form=form)


@bp.post("/organiser/minutes/photos/<int:photo_id>/remove")
@roles(*STAFF_ROLES)
def remove_photo(photo_id: int):
    photo = load_or_404(EventPhoto, photo_id, current_actor())
    event = photo.event_id
    return act(lambda: services.remove_photo(current_user, photo), done=_("Photo removed."),
               then=url_for("minutes.manage", event_id=event) + "#photos")


@bp.get("/organiser/minutes/photos/<int:photo_id>.jpg")
@roles(*STAFF_ROLES)
def photo(photo_id: int):
    return inline_image(load_or_404(EventPhoto, photo_id, current_actor()).file)
