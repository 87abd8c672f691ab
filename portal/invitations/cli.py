import click
from flask.cli import with_appcontext

from portal.database import begin_write
from portal.extensions import db
from portal.invitations.reminders import send_due_reminders


@click.command("send-reminders")
@with_appcontext
def send_reminders_command() -> None:
    """Queue the reminders that are due; safe to run every few minutes, and twice at once."""
    begin_write(db.session)
    count = send_due_reminders()
    db.session.commit()
    click.echo(f"{count} reminder messages queued")
