"""Extensions, created unbound here and bound to an app in ``create_app``."""

from flask_babel import Babel
from flask_bootstrap import Bootstrap5
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_mail import Mail
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect

from portal.database import metadata
from portal.inputs import page_number


class PortalSQLAlchemy(SQLAlchemy):
    """``db.paginate`` reads ``?page=`` through the portal's query-string parsing: a page beyond
    INTEGER (``?page=99999999999999999999999``) is page 1, not an OFFSET PostgreSQL refuses."""

    def paginate(self, select, *, page=None, **kwargs):
        return super().paginate(select, page=page_number() if page is None else page, **kwargs)


db = PortalSQLAlchemy(metadata=metadata)
migrate = Migrate(render_as_batch=True, compare_type=True)
login_manager = LoginManager()
csrf = CSRFProtect()
mail = Mail()
babel = Babel()
bootstrap = Bootstrap5()
limiter = Limiter(key_func=get_remote_address, default_limits=[])
