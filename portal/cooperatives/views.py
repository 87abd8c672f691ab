from flask import Blueprint

from portal.cooperatives import models  # noqa: F401  (replaced by the services import below)

bp = Blueprint("cooperatives", __name__)
