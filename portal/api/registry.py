"""The API's registry and certificates: the cooperatives of the offices the caller reads, with
the directory's filters, and the certificates of their events."""

from flask_smorest import Blueprint
from sqlalchemy import select

from portal.accounts.access import current_actor, roles, token_scope
from portal.accounts.models import STAFF_ROLES
from portal.api import schemas
from portal.api.cursor import keyset_page
from portal.api.models import ApiScope
from portal.certificates.models import Certificate
from portal.cooperatives.models import Cooperative
from portal.cooperatives.services import directory_query
from portal.offices.scope import load_or_404, scoped

bp = Blueprint("api_registry", __name__, url_prefix="/api/v1",
               description="The cooperative registry and the certificates granted.")


@bp.route("/cooperatives", methods=["GET"])
@roles(*STAFF_ROLES)
@token_scope(ApiScope.COOPERATIVES_READ)
@bp.arguments(schemas.CooperativeQuery, location="query")
@bp.response(200, schemas.CooperativePage)
def cooperatives(args):
    """Cooperatives by name then id, filtered as the directory is (name or legal number,
    district, type, status)."""
    districts = [args["district_id"]] if args["district_id"] else None
    query = directory_query(args["q"], districts, args["type"], args["status"], actor=current_actor())
    return keyset_page(query, (Cooperative.name, Cooperative.id), args["cursor"], args["limit"])


@bp.route("/cooperatives/<int:cooperative_id>", methods=["GET"])
@roles(*STAFF_ROLES)
@token_scope(ApiScope.COOPERATIVES_READ)
@bp.response(200, schemas.CooperativeSchema)
def cooperative(cooperative_id: int):
    return load_or_404(Cooperative, cooperative_id, current_actor())


@bp.route("/certificates", methods=["GET"])
@roles(*STAFF_ROLES)
@token_scope(ApiScope.CERTIFICATES_READ)
@bp.arguments(schemas.CertificateQuery, location="query")
@bp.response(200, schemas.CertificatePage)
def certificates(args):
    """Certificates of the events of the offices you read, by id; one event's with ``event_id``."""
    query = scoped(select(Certificate), Certificate, current_actor())
    if args["event_id"]:
        query = query.where(Certificate.event_id == args["event_id"])
    if args["revoked"] is not None:
        revoked = Certificate.revoked_at.is_not(None)
        query = query.where(revoked if args["revoked"] else ~revoked)
    return keyset_page(query, (Certificate.id,), args["cursor"], args["limit"])
