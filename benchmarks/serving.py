"""Serving the portal (or another WSGI app) under gunicorn for a benchmark: the deployment's
settings (deploy/gunicorn.conf.py) on a free loopback port."""

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def served(app: str, env: dict, workers: int):
    """``app`` under gunicorn with the deployment's settings, on a free port; yields its URL."""
    port = free_port()
    env = {**os.environ, **env, "GUNICORN_WORKERS": str(workers), "GUNICORN_LOG_LEVEL": "warning"}
    process = subprocess.Popen([str(Path(sys.executable).parent / "gunicorn"), "-c", "deploy/gunicorn.conf.py",
                                "-b", f"127.0.0.1:{port}", app], cwd=ROOT, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=2)  # noqa: S310 - our own http URL
                break
            except urllib.error.HTTPError:
                break
            except OSError:
                time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)
