"""Every process the test starts, each in a session of its own (so a kill takes its children
too), logging to a file; all of them stopped on the way out, whatever happened."""

import contextlib
import os
import signal
import socket
import subprocess
import threading
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Started:
    name: str
    process: subprocess.Popen
    log: Path
    command: list[str]
    env: dict
    cwd: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    def alive(self) -> bool:
        return self.process.poll() is None

    def tail(self, lines: int = 15) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


class Processes:
    """Start, kill and finally stop the topology's processes."""

    def __init__(self, logs: Path):
        self.logs = logs
        self.started: list[Started] = []
        self.closed = False
        self.lock = threading.Lock()

    def start(self, name: str, command: list[str], env: dict, cwd: Path) -> Started:
        """Start ``command``; refused once stop_all has begun, so nothing outlives the test."""
        log = self.logs / f"{name}.log"
        with self.lock, log.open("ab") as out:
            if self.closed:
                raise RuntimeError(f"not starting {name}: the test is stopping")
            process = subprocess.Popen(command, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT,
                                       stdin=subprocess.DEVNULL, start_new_session=True)
            started = Started(name, process, log, command, env, cwd)
            self.started.append(started)
        return started

    def restart(self, started: Started, name: str) -> Started:
        """Start the same command again, as systemd's Restart=always does."""
        return self.start(name, started.command, started.env, started.cwd)

    def kill(self, started: Started) -> float:
        """SIGKILL the process and everything in its session, as a crash would; returns when."""
        moment = time.time()
        _signal_group(started.pid, signal.SIGKILL)
        started.process.wait(timeout=10)
        return moment

    def stop_all(self, grace: float = 10.0) -> list[str]:
        """SIGTERM every session still running, SIGKILL what is left after ``grace`` seconds; also
        sweeps sessions whose leader died (orphaned workers). Returns the names stopped."""
        with self.lock:
            self.closed = True
        stopped = []
        for started in reversed(self.started):
            if _group_exists(started.pid):
                _signal_group(started.pid, signal.SIGTERM)
                stopped.append(started.name)
        deadline = time.monotonic() + grace
        for started in self.started:
            while _group_exists(started.pid) and time.monotonic() < deadline:
                if started.alive():
                    with contextlib.suppress(subprocess.TimeoutExpired):
                        started.process.wait(timeout=0.2)
                else:
                    time.sleep(0.1)
            if _group_exists(started.pid):
                _signal_group(started.pid, signal.SIGKILL)
            if started.process.poll() is None:
                started.process.wait(timeout=10)
        return stopped


def _signal_group(pgid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, signum)


def _group_exists(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def wait_until_refused(port: int, timeout: float = 10) -> float:
    """When a connection to ``port`` is first refused (the killed server's socket is gone)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                pass
        except OSError:
            return time.time()
        time.sleep(0.002)
    raise RuntimeError(f"port {port} still accepts connections {timeout:.0f} s after the kill")


def wait_for_port(port: int, started: Started, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not started.alive():
            raise RuntimeError(f"{started.name} exited while starting:\n{started.tail()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{started.name} did not listen on {port} within {timeout:.0f} s:\n{started.tail()}")


def wait_for_health(url: str, started: Started, timeout: float = 60) -> None:
    """Until ``url`` answers 200 (the app server's /healthz: workers booted, database reached)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not started.alive():
            raise RuntimeError(f"{started.name} exited while starting:\n{started.tail()}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - loopback http
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"{started.name} was not healthy within {timeout:.0f} s:\n{started.tail()}")


def wait_for_line(started: Started, needle: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if needle in started.tail(200):
            return
        if not started.alive():
            raise RuntimeError(f"{started.name} exited while starting:\n{started.tail()}")
        time.sleep(0.2)
    raise RuntimeError(f"{started.name} did not log {needle!r} within {timeout:.0f} s:\n{started.tail()}")
