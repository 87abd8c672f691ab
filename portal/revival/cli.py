from pathlib import Path

import click
from flask.cli import with_appcontext
from flask_babel import gettext as _

from portal.cooperatives.spreadsheet import MAX_FILE_BYTES
from portal.database import begin_write
from portal.extensions import db
from portal.revival.dates import office_today
from portal.revival.importing import ImportFileError, import_rats


@click.command("import-rats")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Report what would change, change nothing.")
@with_appcontext
def import_rats_command(path: str, dry_run: bool) -> None:
    """Import past years' RAT status from the office's CSV or XLSX list."""
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError:
        raise click.ClickException(_("The file %(path)s cannot be opened.", path=path)) from None
    if not dry_run:
        begin_write(db.session)
    try:
        report = import_rats(None, Path(path).name, data, dry_run=dry_run, today=office_today())
    except ImportFileError as error:
        db.session.rollback()
        raise click.ClickException(error.message) from None
    for row in report.rows:
        if row.errors:
            click.echo(f"line {row.line}: {row.name or row.legal_number or '-'}: {' '.join(row.errors)}")
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
    click.echo(report.summary_line())
