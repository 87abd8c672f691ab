"""The RAT import, a part of the revival blueprint (endpoints ``revival.imports.*``): upload the
office's list, see the row-by-row report; "preview only" writes nothing."""

from flask import Blueprint, render_template
from flask_login import current_user

from portal.accounts.access import roles
from portal.accounts.models import STAFF_ROLES
from portal.extensions import db
from portal.revival.dates import office_today
from portal.revival.forms import RatImportForm
from portal.revival.importing import ImportFileError, import_rats
from portal.transactions import attempt

bp = Blueprint("imports", __name__)


@bp.route("/rat/import", methods=["GET", "POST"])
@roles(*STAFF_ROLES)
def upload():
    form = RatImportForm()
    report = None
    if form.validate_on_submit():
        upload = form.file.data
        data, filename, dry_run = upload.read(), upload.filename or "upload", form.dry_run.data
        try:
            if dry_run:
                with db.session.begin_nested() as preview:
                    report = import_rats(current_user, filename, data, dry_run=True, today=office_today())
                    preview.rollback()
            else:
                report = attempt(lambda: import_rats(current_user, filename, data, dry_run=False,
                                                     today=office_today())).result
        except ImportFileError as error:
            db.session.rollback()
            form.file.errors.append(error.message)
    return render_template("revival/import.html", form=form, report=report)
