"""The invitations a board's cooperative received, a part of the invitations blueprint
(endpoints ``invitations.board.*``): each with its answer and the link to answer or change it."""

from flask import Blueprint, current_app, redirect, render_template, url_for
from flask_login import current_user

from portal.accounts.access import roles
from portal.accounts.models import Role
from portal.cooperatives.models import Cooperative
from portal.cooperatives.policies import approved_cooperative_id
from portal.extensions import db
from portal.invitations import queries, services

bp = Blueprint("board", __name__)


@bp.get("/my-cooperative/invitations")
@roles(Role.BOARD)
def index():
    cooperative_id = approved_cooperative_id(current_user)
    if cooperative_id is None:
        return redirect(url_for("cooperatives.mine"))
    page = db.paginate(queries.cooperative_invitations_query(cooperative_id),
                       per_page=current_app.config["PER_PAGE"], error_out=False)
    return render_template("invitations/board_index.html", cooperative=db.session.get(Cooperative, cooperative_id),
                           page=page, has_ended=services.has_ended)
