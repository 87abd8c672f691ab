import os
import signal
import socket
import threading

import click
from flask import current_app
from flask.cli import AppGroup

from portal.extensions import db
from portal.mail.delivery import prepare_worker_connections, run_worker, send_pending, worker_id
from portal.mail.services import queue_test_message

mail_cli = AppGroup("mail", help="Deliver the outbox.")


def _mail_server_configured() -> bool:
    if current_app.config.get("MAIL_SERVER"):
        socket.setdefaulttimeout(current_app.config["MAIL_TIMEOUT"])  # Flask-Mail sets no SMTP timeout
        prepare_worker_connections()
        return True
    click.echo("No MAIL_SERVER configured: messages stay queued and readable on the Email page.")
    return False


def _report(counts) -> None:
    click.echo(f"sent {counts['sent']}, retried {counts['retried']}, failed {counts['failed']}")


@mail_cli.command("send-pending")
def send_pending_command() -> None:
    """Deliver what is due now, once, then exit."""
    if _mail_server_configured():
        _report(send_pending(worker_id()))


@mail_cli.command("worker")
@click.option("--interval", type=float, default=None, help="Seconds between passes (MAIL_WORKER_INTERVAL).")
def worker_command(interval: float | None) -> None:
    """Deliver continuously; SIGTERM or Ctrl+C stops it after the message in flight."""
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    interval = interval if interval is not None else current_app.config["MAIL_WORKER_INTERVAL"]
    if niceness := current_app.config["MAIL_WORKER_NICE"]:
        os.nice(niceness)  # below the app servers: a letter waits, a page does not
    deliver = _mail_server_configured()
    click.echo(f"mail worker {worker_id()} started")

    def report(counts):
        if any(counts.values()):
            _report(counts)

    run_worker(stop, interval, on_pass=report, deliver=deliver)
    click.echo("mail worker stopped")


@mail_cli.command("test")
@click.argument("address")
def test_command(address: str) -> None:
    """Queue a test message to ADDRESS (the worker delivers it)."""
    message = queue_test_message(address)
    db.session.commit()
    click.echo(f"queued {message.message_id} to {address}")
