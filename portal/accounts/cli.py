import sys

import click
from flask.cli import with_appcontext

from portal.accounts import services
from portal.accounts.models import Role
from portal.errors import RuleViolation
from portal.extensions import db


@click.command("create-user")
@click.argument("email")
@click.option("--role", type=click.Choice([Role.ADMIN.value, Role.ORGANISER.value, Role.LEADER.value]), required=True)
@click.option("--name", required=True, help="Full name.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@with_appcontext
def create_user_command(email: str, role: str, name: str, password_stdin: bool) -> None:
    """Create a staff account."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user = services.create_user(None, email, name, Role(role), password)
    except RuleViolation as violation:
        raise click.ClickException(violation.message) from None
    db.session.commit()
    click.echo(f"Created {user.role.value} {user.email}")
