"""The shipped files of deploy/, read the way systemd and nginx would read them, with the
installation paths swapped for this checkout: the test runs what a server would run."""

import shlex
import sys
from pathlib import Path

DEPLOY = Path(__file__).resolve().parent.parent
ROOT = DEPLOY.parent
INSTALL_ROOT = "/srv/portal-koperasi"
ENV_TEMPLATE = DEPLOY / "portal-koperasi.env.example"
SITE = DEPLOY / "nginx" / "portal-koperasi.conf"
UNITS = DEPLOY / "systemd"


class ShippedFileChanged(RuntimeError):
    """A file of deploy/ no longer holds what the test substitutes: update both together."""


def read_environment_file(path: Path = ENV_TEMPLATE) -> dict[str, str]:
    """KEY=value lines as systemd's EnvironmentFile= reads them (comments, blank lines, quotes)."""
    values = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith(("#", ";")):
            continue
        key, _, value = line.partition("=")
        words = shlex.split(value)
        values[key.strip()] = " ".join(words)
    return values


def unit_command(unit: str, instance: str | None = None) -> list[str]:
    """The ExecStart= of a unit in deploy/systemd, for this checkout: the installation root becomes
    the repository, its virtualenv the one running this test, ``%i`` the instance."""
    lines = [line for line in (UNITS / unit).read_text().splitlines() if line.startswith("ExecStart=")]
    if len(lines) != 1:
        raise ShippedFileChanged(f"{unit}: expected one ExecStart=, found {len(lines)}")
    command = lines[0].removeprefix("ExecStart=")
    if "%i" in command:
        if instance is None:
            raise ShippedFileChanged(f"{unit}: a template unit needs an instance")
        command = command.replace("%i", instance)
    venv_bin = f"{INSTALL_ROOT}/.venv/bin/"
    words = []
    for word in shlex.split(command):
        if word.startswith(venv_bin):
            word = str(Path(sys.executable).parent / word.removeprefix(venv_bin))
        words.append(word.replace(INSTALL_ROOT, str(ROOT)))
    return words


def unit_setting(unit: str, key: str) -> str:
    for line in (UNITS / unit).read_text().splitlines():
        if line.startswith(f"{key}="):
            return line.partition("=")[2]
    raise ShippedFileChanged(f"{unit}: no {key}=")
