from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import gettext as _

from portal.cooperatives.importing import MAX_FILE_BYTES, ImportFileError, import_cooperatives
from portal.cooperatives.reference import load_districts
from portal.database import begin_write
from portal.extensions import db
from portal.offices.models import Office


@click.command("import-cooperatives")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Report what would change, change nothing.")
@click.option("--office", "office_id", type=int, default=None,
              help="The importing office's id (default: the first office); districts match in its regencies.")
@with_appcontext
def import_cooperatives_command(path: str, dry_run: bool, office_id: int | None) -> None:
    """Import cooperatives from the office's CSV or XLSX list."""
    office = db.session.get(Office, office_id) if office_id else None
    if office_id and office is None:
        raise click.ClickException(f"no office {office_id}")
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError:
        raise click.ClickException(_("The file %(path)s cannot be opened.", path=path)) from None
    today = datetime.now(ZoneInfo(current_app.config["PORTAL_TIMEZONE"])).date()
    if not dry_run:
        begin_write(db.session)
    try:
        report = import_cooperatives(None, Path(path).name, data, dry_run=dry_run, today=today, office=office)
    except ImportFileError as error:
        db.session.rollback()
        raise click.ClickException(error.message) from None
    for row in report.rows:
        if row.errors or row.warnings:
            label = row.name or row.legal_number or "-"
            click.echo(f"line {row.line}: {label}: {' '.join(row.errors + row.warnings)}")
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
    click.echo(report.summary_line())


@click.command("load-districts")
@click.argument("path", type=click.Path(dir_okay=False))
@with_appcontext
def load_districts_command(path: str) -> None:
    """Load a regency's districts (kecamatan) from a CSV with the columns province, regency and
    district; loading the same file again adds nothing."""
    try:
        with open(path, encoding="utf-8-sig") as handle:
            text = handle.read()
    except OSError:
        raise click.ClickException(_("The file %(path)s cannot be opened.", path=path)) from None
    begin_write(db.session)
    try:
        added = load_districts(text)
    except ValueError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
    db.session.commit()
    for regency, count in added.items():
        click.echo(f"{regency}: {count} districts added")
