import click
from flask.cli import AppGroup

from portal.database import begin_write, clock_now
from portal.extensions import db
from portal.privacy.services import run_retention

privacy_cli = AppGroup("privacy", help="Personal data (UU 27/2022): retention.")


@privacy_cli.command("retention")
@click.option("--dry-run", is_flag=True, help="Count what would be removed or anonymised; change nothing.")
def retention_command(dry_run: bool) -> None:
    """Remove or anonymise the personal data past each office's retention period."""
    begin_write(db.session)
    results = run_retention(clock_now(), dry_run=dry_run)
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
    for office_id, counts in results.items():
        click.echo(f"office {office_id}: " + ", ".join(f"{name} {count}" for name, count in counts.items()))
    click.echo("dry run: nothing changed" if dry_run else "done")
