"""An invitation round's delivery with its letters by the code of an earlier commit against this
tree's, on this machine, in one run: "today's rate" of an issue measured, not emulated.

    python -m benchmarks.letter_rate_against [--commit f0f9d52] [--workers 2] [--cooperatives 30]
                                             [--rounds 3] [--logo]

The earlier commit (by default the one at which issue 22 measured two workers at ~18 messages a
second) is checked out in a temporary git worktree; it runs on this virtualenv, whose libraries it
also used. Round after round, for each tree in turn, ``--workers`` processes each deliver a round
of their own at the same time (an SQLite database each; MAIL_SUPPRESS_SEND, so every message and
its letter are built and nothing leaves) and their messages a second are added up. Prints each
tree's median and their ratio. The office has no logo, as in the issue's measurement, or with
``--logo`` a scanned one (1,200 pixels); the earlier code had no signature or stamp
(``benchmarks.letter_rate`` measures those against an emulation of it).
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Runs inside either tree: only what both have.
WORKER = r"""
import json, sys, tempfile, time
from pathlib import Path
from sqlalchemy import select
from benchmarks.invitation_send import _populate
from portal import create_app
from portal.accounts.models import User
from portal.cooperatives.models import Cooperative
from portal.events.models import Event
from portal.extensions import db
from portal.invitations import services as invitations
from portal.invitations.selection import BY_HAND, Selection
from portal.mail import delivery

with tempfile.TemporaryDirectory() as folder:
    app = create_app({"PORTAL_ENV": "testing", "SECRET_KEY": "bench", "MAIL_SUPPRESS_SEND": True,
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{Path(folder) / 'bench.db'}"})
    with app.app_context(), app.test_request_context():
        db.create_all()
        event = db.session.get(Event, _populate(int(sys.argv[1])))
        organiser = db.session.scalar(select(User).where(User.email == "organiser@example.org"))
        ids = list(db.session.scalars(select(Cooperative.id)))
        invitations.send_invitations(organiser, event, Selection(mode=BY_HAND, cooperative_ids=ids))
        if len(sys.argv) > 2:  # the office's logo on the letterhead
            from portal.settings.services import get_office_settings
            settings = get_office_settings()
            settings.logo, settings.logo_mimetype = Path(sys.argv[2]).read_bytes(), "image/png"
        db.session.commit()
        print("ready", flush=True)
        sys.stdin.readline()
        started = time.perf_counter()
        sent = delivery.send_pending("bench")["sent"]
        print(json.dumps({"sent": sent, "seconds": time.perf_counter() - started}), flush=True)
        db.engine.dispose()
"""


def worktree(commit: str, folder: Path) -> Path:
    tree = folder / "tree"
    subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "-q", str(tree), commit], check=True)
    pybabel = Path(sys.executable).with_name("pybabel")
    subprocess.run([str(pybabel), "compile", "-d", str(tree / "portal" / "translations")], check=True,
                   capture_output=True)
    return tree


def round_rate(tree: Path, workers: int, cooperatives: int, logo: Path | None, timeout: float = 900) -> float:
    """Messages a second of ``workers`` processes delivering at the same time, added up. Workers
    still running after ``timeout`` seconds are stopped and the round fails."""
    command = [sys.executable, "-c", WORKER, str(cooperatives), *([str(logo)] if logo else [])]
    env = {"PYTHONPATH": str(tree), "PATH": "/usr/bin:/bin", "HOME": os.environ.get("HOME", "/tmp")}
    processes = [subprocess.Popen(command, cwd=tree, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  text=True) for _ in range(workers)]

    def stop():
        for process in processes:
            process.kill()

    watchdog = threading.Timer(timeout, stop)
    watchdog.start()
    delivered = False
    try:
        for process in processes:
            if process.stdout.readline().strip() != "ready":
                raise RuntimeError(f"a worker in {tree} did not start")
        for process in processes:
            process.stdin.write("go\n")
            process.stdin.flush()
        lines = [process.stdout.readline() for process in processes]
        if not all(lines):
            raise RuntimeError(f"a worker in {tree} stopped before it had delivered its round")
        results = [json.loads(line) for line in lines]
        delivered = True
    finally:
        watchdog.cancel()
        if not delivered:
            stop()
        for process in processes:
            process.wait()
    return sum(result["sent"] / result["seconds"] for result in results)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--commit", default="f0f9d52")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--cooperatives", type=int, default=30)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--logo", action="store_true", help="the office's letterhead carries a scanned logo")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        old = worktree(args.commit, Path(folder))
        logo = None
        if args.logo:
            from benchmarks.letter_rate import office_images

            logo = Path(folder) / "logo.png"
            logo.write_bytes(office_images()[0])
        try:
            rates = {"old": [], "now": []}
            for _ in range(args.rounds):
                rates["old"].append(round_rate(old, args.workers, args.cooperatives, logo))
                rates["now"].append(round_rate(ROOT, args.workers, args.cooperatives, logo))
                print({name: round(values[-1], 2) for name, values in rates.items()}, flush=True)
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(old)], check=False)
    old_rate, new_rate = statistics.median(rates["old"]), statistics.median(rates["now"])
    print({"commit": args.commit, "logo": args.logo, "workers": args.workers, "cooperatives": args.cooperatives,
           "old_per_second": round(old_rate, 2), "now_per_second": round(new_rate, 2),
           "ratio_to_old": round(new_rate / old_rate, 2)})


if __name__ == "__main__":
    main()
