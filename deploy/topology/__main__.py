"""``python -m deploy.topology``: start the topology, run the load, kill, check, report.

Exit status: 0 passed (or skipped: nginx cannot be had), 1 a check failed, 2 the run broke.
"""

import argparse
import os
import secrets
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path

import redis

from deploy.topology import database, nginx
from deploy.topology.processes import Processes, free_port
from deploy.topology.report import print_summary
from deploy.topology.run import Topology, run_load
from deploy.topology.shipped import ROOT, read_environment_file, unit_command
from deploy.topology.sink import Sink

DATABASE = "postgresql+psycopg://postgres@127.0.0.1:5432/portal_i23_topology"
REDIS = "redis://127.0.0.1:6379/5"


class Deadline(Exception):
    """The whole run took longer than --deadline seconds."""


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m deploy.topology", description=__doc__.splitlines()[0])
    parser.add_argument("--database", default=os.environ.get("TOPOLOGY_DATABASE_URL", DATABASE),
                        help="PostgreSQL URL; the database is dropped and created (default: %(default)s)")
    parser.add_argument("--redis", default=os.environ.get("TOPOLOGY_REDIS_URL", REDIS),
                        help="Redis database for shared rate limits; it is flushed (default: %(default)s)")
    parser.add_argument("--cooperatives", type=int, default=2000,
                        help="invited in one round (default 2000; the demo alone has 401)")
    parser.add_argument("--board-members", type=int, default=40, help="board members signing up (default 40)")
    parser.add_argument("--seats", type=int, default=30, help="seats of the sign-up event (default 30)")
    parser.add_argument("--people-each", type=int, default=2, help="sign-ups per board member (default 2)")
    parser.add_argument("--app-servers", type=int, default=2)
    parser.add_argument("--mail-workers", type=int, default=2)
    parser.add_argument("--after-kill", type=float, default=15, help="seconds of browsing after the kill")
    parser.add_argument("--mail-lease", type=int, default=30,
                        help="MAIL_LEASE_SECONDS of the workers (default 30; 1 is a control run that must fail: "
                             "leases run out mid-batch and messages go twice)")
    parser.add_argument("--mail-timeout", type=float, default=900, help="seconds to wait for every message")
    parser.add_argument("--deadline", type=int, default=1500, help="the whole run stops after this many seconds")
    parser.add_argument("--keep", action="store_true", help="keep the database and the logs")
    args = parser.parse_args()
    if args.board_members < 2 or args.people_each < 1:
        parser.error("two or more board members, each signing up one or more people")
    if not 0 < args.seats < args.board_members * args.people_each:
        parser.error("fewer seats than sign-ups, so the last seats are contested and a waiting list forms")
    if args.app_servers < 2 or args.mail_workers < 2:
        parser.error("two or more app servers and mail workers: one of each is killed")
    return args


def environment(args, sink_port: int, https_port: int) -> dict[str, str]:
    """The shipped environment file, with loopback values where a server would have its own."""
    env = {**os.environ, **read_environment_file()}
    for key in ("MAIL_USERNAME", "MAIL_PASSWORD"):  # the sink takes mail without logging in
        env.pop(key, None)
    env.update({
        "DATABASE_URL": args.database, "SECRET_KEY": secrets.token_hex(32), "RATELIMIT_STORAGE_URI": args.redis,
        "PORTAL_BASE_URL": f"https://127.0.0.1:{https_port}", "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(sink_port), "MAIL_USE_TLS": "0",
        "MAIL_DEFAULT_SENDER": "Portal Koperasi <noreply@kupang.example>",
        # Small batches with a short lease, so the killed worker's claim expires within the test.
        "MAIL_BATCH_SIZE": "5", "MAIL_LEASE_SECONDS": str(args.mail_lease), "MAIL_WORKER_INTERVAL": "1",
        "MAIL_BACKOFF_SECONDS": "5",
        "GUNICORN_WORKERS": "2", "PYTHONUNBUFFERED": "1",
    })
    return env


def main() -> int:
    args = arguments()
    started = time.monotonic()
    try:
        binary = nginx.ensure_nginx(install=True)
    except nginx.NginxUnavailable as reason:
        print(f"SKIPPED: {reason}")
        return 0

    def out_of_time(*_):
        raise Deadline(f"the run took longer than {args.deadline} s")

    signal.signal(signal.SIGALRM, out_of_time)
    signal.signal(signal.SIGTERM, out_of_time)
    signal.alarm(args.deadline)
    workdir = Path(tempfile.mkdtemp(prefix="portal-topology-"))
    (workdir / "logs").mkdir()
    processes = Processes(workdir / "logs")
    passed, keep = False, args.keep
    try:
        with Sink() as sink:
            topology = Topology(args=args, nginx=binary, workdir=workdir, processes=processes, sink=sink,
                                ports={"http": free_port(), "https": free_port(),
                                       "apps": tuple(free_port() for _ in range(args.app_servers))})
            topology.env = environment(args, sink.port, topology.ports["https"])
            topology.flask = unit_command("portal-koperasi-mail@.service", "1")[:3]
            redis.Redis.from_url(args.redis).flushdb()
            result = run_load(topology)
            result.seconds["total"] = time.monotonic() - started
            passed = print_summary(topology, result)
    except (Deadline, Exception) as error:  # noqa: BLE001 - reported with the logs; everything is stopped
        print(f"BROKEN: {type(error).__name__}: {error}")
        for started_process in processes.started:
            print(f"--- {started_process.name} (last lines) ---\n{started_process.tail()}")
        keep = True
        return 2
    finally:
        signal.alarm(0)
        _clean_up(processes, args, workdir, keep=keep or not passed)
    return 0 if passed else 1


def _clean_up(processes: Processes, args, workdir: Path, keep: bool) -> None:
    stopped = processes.stop_all()
    left = [p.name for p in processes.started if p.alive()]
    print(f"Stopped {len(stopped)} process groups still running ({', '.join(stopped) or 'none'}); "
          f"left running: {', '.join(left) or 'none'}")
    if keep:
        print(f"Kept for inspection: logs and nginx configuration in {workdir}, database {args.database}")
        return
    shutil.rmtree(workdir, ignore_errors=True)
    database.drop(args.database)


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
