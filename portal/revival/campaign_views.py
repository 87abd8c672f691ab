"""The RAT season campaign, a part of the revival blueprint (endpoints ``revival.campaign.*``)."""

import io

from flask import Blueprint, current_app, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.accounts.access import current_actor, roles
from portal.accounts.models import STAFF_ROLES
from portal.cooperatives.models import Cooperative, CooperativeStatus, CooperativeType
from portal.cooperatives.services import district_ids_for, listed_districts
from portal.offices.scope import load_or_404
from portal.pagination import paginate
from portal.revival import campaign
from portal.revival.dates import office_today
from portal.revival.queries import without_verified_rat_query
from portal.transactions import Confirmation, act

bp = Blueprint("campaign", __name__)


def _filters(values) -> tuple[int, dict]:
    """The book year (last year by default) and the list's filters, a bad value ignored."""
    today = office_today()
    year = values.get("year", type=int) or today.year - 1
    year = min(max(year, 1950), today.year - 1)
    type_ = values.get("type") if values.get("type") in {t.value for t in CooperativeType} else None
    status = values.get("status") if values.get("status") in {s.value for s in CooperativeStatus} else None
    return year, {"district_ids": district_ids_for(values.get("district")), "type": type_, "status": status}


def _campaign_url(values) -> str:
    return url_for("revival.campaign.index", **{key: values.get(key) for key in ("year", "district", "type", "status")
                                                 if values.get(key)})


@bp.get("/rat/campaign")
@roles(*STAFF_ROLES)
def index():
    year, filters = _filters(request.args)
    page = paginate(without_verified_rat_query(year, **filters, actor=current_actor()))
    return render_template("revival/campaign.html", year=year, page=page,
                           whatsapp=campaign.whatsapp_texts(page.items, year),
                           districts=listed_districts(current_app.config["DISTRICT_SELECT_LIMIT"]),
                           types=CooperativeType, statuses=CooperativeStatus)


@bp.post("/rat/campaign/letters")
@roles(*STAFF_ROLES)
def send_letters():
    year, filters = _filters(request.form)
    return act(lambda: campaign.send_reminder_letters(current_user, year, office_today(), **filters),
               confirm=lambda: Confirmation(
                   _("Send the RAT reminder letters for book year %(year)d?", year=year),
                   [_("Each listed cooperative without a letter of this campaign gets one, with its own number from "
                      "the office's numbering."),
                    _("Cooperatives with an email address receive it as a PDF by email; print the others from "
                      "the letters' PDF."),
                    _("Each letter is recorded in the cooperative's contact log.")],
                   _("Yes, number and send the letters"), _campaign_url(request.form)),
               done=lambda sent: _("%(letters)d letters numbered, %(emailed)d of them emailed; %(already)d "
                                   "cooperatives had theirs already.", letters=sent.letters, emailed=sent.emailed,
                                   already=sent.already),
               then=_campaign_url(request.form))


@bp.get("/rat/campaign/letters.pdf")
@roles(*STAFF_ROLES)
def letters_pdf():
    year, filters = _filters(request.args)
    data = campaign.render_all_letters(year, current_actor(), **filters)
    return send_file(io.BytesIO(data), mimetype="application/pdf", as_attachment=True,
                     download_name=f"surat-pengingat-rat-{year}.pdf")


@bp.post("/rat/campaign/<int:year>/whatsapp/<int:cooperative_id>")
@roles(*STAFF_ROLES)
def record_whatsapp(year: int, cooperative_id: int):
    cooperative = load_or_404(Cooperative, cooperative_id, current_actor())
    return act(lambda: campaign.record_whatsapp(current_user, cooperative, year, office_today()),
               done=_("WhatsApp message to %(name)s recorded in its contact log.", name=cooperative.name),
               then=_campaign_url(request.form))
