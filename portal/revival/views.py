from flask import Blueprint

import portal.revival.models  # noqa: F401

bp = Blueprint("revival", __name__)
