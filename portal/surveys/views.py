"""The evaluation on the web: the event's tab (open it, results, export), the office's form, and
the two public ways in (the personal link, and the printed QR's page that asks for the ticket
code), which need no login and no script."""

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.accounts.access import current_actor, public, roles
from portal.accounts.models import STAFF_ROLES
from portal.documents import spreadsheets
from portal.errors import RuleViolation
from portal.events.models import Event
from portal.extensions import db, limiter
from portal.offices.context import current_office
from portal.offices.scope import load_or_404
from portal.pagination import paginate
from portal.revival.dates import office_today
from portal.surveys import results as survey_results
from portal.surveys import services
from portal.surveys import whatsapp as survey_whatsapp
from portal.surveys.forms import OpenSurveyForm, SurveyTemplateForm, TicketCodeForm, answer_form
from portal.transactions import act

bp = Blueprint("surveys", __name__)


def _survey_or_404(event: Event):
    survey = services.survey_of(event.id)
    if survey is None:
        abort(404)
    return survey


@bp.get("/organiser/events/<int:event_id>/evaluation")
@roles(*STAFF_ROLES)
def manage(event_id: int):
    event = load_or_404(Event, event_id, current_actor())
    survey = services.survey_of(event.id)
    page = paginate(survey_whatsapp.unanswered_query(survey)) if survey and survey.is_open else None
    return render_template("surveys/manage.html", event=event, survey=survey, form=OpenSurveyForm(),
                           results=survey_results.results(survey) if survey else None, page=page,
                           texts=survey_whatsapp.survey_texts(survey, event, page.items) if page else [])


@bp.post("/organiser/events/<int:event_id>/evaluation")
@roles(*STAFF_ROLES)
def open_survey(event_id: int):
    event = load_or_404(Event, event_id, current_actor())
    form = OpenSurveyForm()
    return act(lambda: services.open_survey(current_user, event, is_anonymous=form.is_anonymous.data), form=form,
               done=_("The evaluation is open."), then=url_for("surveys.manage", event_id=event.id)
               ) or redirect(url_for("surveys.manage", event_id=event.id))


@bp.post("/organiser/events/<int:event_id>/evaluation/state")
@roles(*STAFF_ROLES)
def set_state(event_id: int):
    event = load_or_404(Event, event_id, current_actor())
    survey = _survey_or_404(event)
    is_open = request.form.get("open") == "1"
    return act(lambda: services.set_open(current_user, survey, is_open),
               done=_("The evaluation is open.") if is_open else _("The evaluation is closed."),
               then=url_for("surveys.manage", event_id=event.id))


@bp.post("/organiser/events/<int:event_id>/evaluation/links")
@roles(*STAFF_ROLES)
def send_links(event_id: int):
    """The message after the event: each participant's personal link, by email."""
    event = load_or_404(Event, event_id, current_actor())
    survey = _survey_or_404(event)
    return act(lambda: services.send_links(current_user, survey),
               done=lambda count: _("The evaluation link is queued for %(count)d participants.", count=count),
               then=url_for("surveys.manage", event_id=event.id))


@bp.get("/organiser/events/<int:event_id>/evaluation.<kind>")
@roles(*STAFF_ROLES)
def export(event_id: int, kind: str):
    event = load_or_404(Event, event_id, current_actor())
    if kind not in ("csv", "xlsx"):
        abort(404)
    header, rows = survey_results.table(_survey_or_404(event))
    return spreadsheets.download(kind, header, rows, title=_("Evaluation"), filename=f"evaluasi-{event.id}",
                                 separator_name=request.args.get("separator"))


@bp.route("/organiser/evaluation-form", methods=["GET", "POST"])
@roles(*STAFF_ROLES)
def edit_template():
    """The office's evaluation form, copied by each survey it opens from now on."""
    office = current_office(current_user)
    template = services.template_for(office.id)
    form = SurveyTemplateForm(data={"ratings": "\n".join(template.ratings), "topics": "\n".join(template.topics),
                                    "topics_question": template.topics_question,
                                    "comment_question": template.comment_question}
                              if request.method == "GET" else None)
    return act(lambda: services.save_template(current_user, office.id, form.values()), form=form,
               done=_("Evaluation form saved."), then=url_for("surveys.edit_template")
               ) or render_template("surveys/template.html", form=form, office=office)


# -- public: answering ----------------------------------------------------------------------------


@bp.route("/evaluasi/<token>", methods=["GET", "POST"])
@public
def answer(token: str):
    """The personal link (certificate email, ticket page, WhatsApp): the form, or why it is not."""
    try:
        registration = services.registration_for_token(token)
    except RuleViolation:
        abort(404)
    survey = services.survey_of(registration.event_id)
    try:
        services.check_may_answer(survey, registration)
    except RuleViolation as refusal:
        return render_template("surveys/closed.html", event=registration.event, message=refusal.message)
    form = answer_form(survey)
    return act(lambda: services.submit_answer(registration, form.values(), office_today()), form=form,
               done=_("Thank you: your evaluation is saved."), then=url_for("surveys.answer", token=token)
               ) or render_template("surveys/answer.html", event=registration.event, survey=survey, form=form)


@bp.route("/evaluasi/acara/<uid>", methods=["GET", "POST"])
@public
@limiter.limit(lambda: current_app.config["SURVEY_CODE_RATE_LIMIT"], methods=["POST"], scope="survey-code")
def by_code(uid: str):
    """The printed QR code's page, the same for everyone: the ticket code makes the answer one a
    person. A code of no ticket, or of one that has answered, is refused."""
    event = db.first_or_404(db.select(Event).where(Event.uid_token == uid))
    form = TicketCodeForm()
    return act(lambda: services.registration_for_code(event, form.code.data), form=form, done=None,
               then=lambda registration: url_for("surveys.answer", token=services.answer_token(registration))
               ) or render_template("surveys/by_code.html", event=event, form=form,
                                    survey=services.survey_of(event.id))
