"""The run itself: database, processes, front-door checks, the shared rate limit, the load with
its two kills, the periodic job, the wait for every message, and what the database says."""

import http.client
import re
import socket
import subprocess
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from deploy.topology import database, load, nginx
from deploy.topology.checks import Kill
from deploy.topology.database import DEMO_PASSWORD, ORGANISER, Scenario
from deploy.topology.http import Browser, Recorder
from deploy.topology.processes import (
    Processes,
    Started,
    wait_for_health,
    wait_for_line,
    wait_for_port,
    wait_until_refused,
)
from deploy.topology.shipped import ROOT, unit_command, unit_setting
from deploy.topology.sink import Sink


@dataclass
class Topology:
    args: object
    nginx: str
    workdir: Path
    processes: Processes
    sink: Sink
    ports: dict
    env: dict = field(default_factory=dict)
    flask: list[str] = field(default_factory=list)
    app_servers: list[Started] = field(default_factory=list)
    mail_workers: list[Started] = field(default_factory=list)
    front: Started | None = None
    scenario: Scenario | None = None
    nginx_test: str = ""

    @property
    def base(self) -> str:
        return f"https://127.0.0.1:{self.ports['https']}"

    @property
    def prefix(self) -> Path:
        return self.workdir / "nginx"

    @property
    def cafile(self) -> str:
        return str(self.prefix / "tls" / "fullchain.pem")

    @property
    def access_log(self) -> Path:
        return self.prefix / "logs" / "portal-koperasi.access.log"


@dataclass
class Result:
    seconds: dict = field(default_factory=dict)
    front: dict = field(default_factory=dict)
    rate_limit: dict = field(default_factory=dict)
    invitation_round: dict = field(default_factory=dict)
    signups: list = field(default_factory=list)
    kill: Kill | None = None
    reminders: str = ""
    recorder: Recorder = field(default_factory=Recorder)
    problems: list[str] = field(default_factory=list)


@contextmanager
def stopwatch(seconds: dict, name: str):
    started = time.monotonic()
    yield
    seconds[name] = time.monotonic() - started


def say(text: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {text}", flush=True)


def prepare_database(t: Topology) -> None:
    from portal import create_app

    say(f"database {t.args.database}: created fresh, `flask db upgrade`, `flask seed-demo`")
    database.create_fresh(t.args.database)
    database.migrate_and_seed(t.flask, t.env)
    app = create_app({"SQLALCHEMY_DATABASE_URI": t.args.database, "PORTAL_ENV": "production",
                      "SECRET_KEY": t.env["SECRET_KEY"], "RATELIMIT_STORAGE_URI": "memory://"})
    app.app_context().push()
    t.scenario = database.build_scenario(t.args.cooperatives, t.args.board_members, t.args.seats)
    say(f"registry grown to {t.scenario.cooperatives} cooperatives (set-based INSERT); sign-up event "
        f"{t.scenario.signup_event_id} with {t.scenario.seats} seats; {len(t.scenario.board)} board accounts")


def start_servers(t: Topology) -> None:
    loopback = nginx.Loopback(t.prefix, t.ports["http"], t.ports["https"], t.ports["apps"])
    conf = nginx.write_config(loopback)
    checked = nginx.check_config(t.nginx, conf)
    t.nginx_test = (checked.stdout + checked.stderr).strip()
    if checked.returncode != 0:
        raise RuntimeError(f"nginx -t failed on the shipped site:\n{t.nginx_test}")
    say("nginx -t: the shipped site is valid")
    for port in t.ports["apps"]:
        server = t.processes.start(f"web-{port}", unit_command("portal-koperasi-web@.service", str(port)), t.env, ROOT)
        t.app_servers.append(server)
    for server, port in zip(t.app_servers, t.ports["apps"], strict=True):
        wait_for_health(f"http://127.0.0.1:{port}/healthz", server, timeout=120)
    for n in range(1, t.args.mail_workers + 1):
        worker = t.processes.start(f"mail-{n}", unit_command("portal-koperasi-mail@.service", str(n)), t.env, ROOT)
        t.mail_workers.append(worker)
    for worker in t.mail_workers:
        wait_for_line(worker, "mail worker", timeout=120)
    t.front = t.processes.start("nginx", nginx.start_command(t.nginx, conf), t.env, ROOT)
    wait_for_port(t.ports["https"], t.front)
    say(f"up: nginx https://127.0.0.1:{t.ports['https']} -> gunicorn on {', '.join(map(str, t.ports['apps']))}; "
        f"{len(t.mail_workers)} mail workers -> SMTP sink :{t.sink.port}")


def check_front(t: Topology, recorder: Recorder) -> dict:
    """What nginx itself does: redirect to https, static files with long caching (not from the
    app), compression, the request id, Secure cookies behind TLS."""
    plain = http.client.HTTPConnection("127.0.0.1", t.ports["http"], timeout=10)
    plain.request("GET", "/events")
    redirect = plain.getresponse()
    found = {"http_redirect": redirect.status == 301 and redirect.getheader("Location", "").startswith("https://")}
    plain.close()
    browser = Browser(t.base, "127.0.0.1", t.cafile, recorder, phase="checks")
    login = browser.get("/login", label="check GET /login")
    found["secure_cookie"] = "Secure" in login.headers.get("Set-Cookie", "")
    found["request_id_passed"] = login.headers.get("X-Request-ID") == login.request_id
    assets = re.findall(r'(?:href|src)="(/(?:bootstrap/)?static/[^"]+\?v=[0-9a-f]+)"', login.text)
    found["static_fingerprinted"] = len(assets) >= 2
    for asset in assets:
        answer = browser.get(asset, label="check GET static")
        cache = answer.headers.get("Cache-Control", "")
        found.setdefault("static_long_cache_from_nginx", True)
        found["static_long_cache_from_nginx"] &= (answer.status == 200 and "max-age=31536000" in cache
                                                  and "immutable" in cache and "X-Request-ID" not in answer.headers
                                                  and answer.headers.get("X-Content-Type-Options") == "nosniff")
    page = browser.get("/events", label="check GET /events gzip", headers={"Accept-Encoding": "gzip"})
    found["gzip"] = page.headers.get("Content-Encoding") == "gzip"
    return found


def probe_rate_limit(t: Topology, recorder: Recorder) -> dict:
    """One client checks certificate codes more often than allowed, through nginx's round robin
    over both app servers: with the limit in Redis exactly the allowed number pass; a second
    client is not affected (the limit is per client address, read from nginx's header)."""
    limit = int(t.env["CERTIFICATE_CHECK_RATE_LIMIT"].split()[0])
    client = Browser(t.base, "127.0.0.2", t.cafile, recorder, phase="rate-limit")
    statuses = [client.get("/certificates/TOPOLOGY-NO-SUCH-CODE", label="certificate check").status
                for _ in range(limit + 10)]
    other = Browser(t.base, "127.0.0.3", t.cafile, recorder, phase="rate-limit")
    return {"limit": limit, "tried": len(statuses), "allowed": statuses.count(404), "refused": statuses.count(429),
            "other_client": other.get("/certificates/TOPOLOGY-NO-SUCH-CODE", label="certificate check").status,
            "request_ids": [r.request_id for r in recorder.snapshot() if r.phase == "rate-limit"]}


def drive(t: Topology, result: Result) -> None:
    """Browsing throughout; the invitation round; sign-up wave 1; once mail flows, wave 2 with an
    app server and a mail worker killed while it runs; browsing goes on, then stops."""
    recorder, addresses, stop = result.recorder, load.Addresses(), threading.Event()
    browsing = load.Browsing(load.visitors(t.base, t.cafile, recorder, addresses, t.scenario), stop,
                             think=0.2, max_requests=400)
    members = load.board_members(t.base, t.cafile, recorder, addresses, t.scenario)
    organiser = Browser(t.base, addresses.take(), t.cafile, recorder)
    organiser.login(ORGANISER, DEMO_PASSWORD)
    tabs = [Browser(t.base, addresses.take(), t.cafile, recorder) for _ in range(4)]
    for tab in tabs:
        tab.login(ORGANISER, DEMO_PASSWORD)
    say(f"load: {len(browsing.visitors)} visitors browsing, {len(members)} board members logged in")
    browsing.start()
    preview, status, seconds = load.send_invitation_round(organiser, t.scenario.invitation_event_id)
    result.invitation_round = {"preview": preview, "status": status, "seconds": seconds}
    say(f"invitation round: preview {preview} cooperatives, POST answered {status} in {seconds:.1f} s")
    if status != 302:
        raise RuntimeError(f"the invitation round answered {status}")
    half = len(members) // 2
    result.signups += load.sign_up_wave(members[:half], t.scenario.signup_event_id, t.args.people_each, "w1")
    before = t.sink.count()
    _wait(lambda: t.sink.count() >= before + 50, timeout=180)
    wave = threading.Thread(target=lambda: result.signups.extend(
        load.sign_up_wave(members[half:], t.scenario.signup_event_id, t.args.people_each, "w2")))
    heavy = load.heavy_reads(tabs, organiser_pages_in_flight(t.scenario))
    wave.start()
    time.sleep(0.3)  # wave 2's first POSTs are in flight
    heavy.start()
    time.sleep(0.1)  # and the organiser's heavy pages
    kill(t, result)
    wave.join(120)
    heavy.join(120)
    stop.wait(t.args.after_kill)
    stop.set()
    browsing.join(60)
    say(f"load done: {len(recorder.snapshot())} requests")


def organiser_pages_in_flight(scenario: Scenario) -> list[str]:
    """Pages slow enough to be in flight when the server dies: the round's tracking tab, the
    registrations tab, the registry."""
    return [f"/organiser/events/{scenario.invitation_event_id}/invitations",
            f"/organiser/events/{scenario.signup_event_id}/registrations", "/cooperatives/?q=koperasi",
            f"/organiser/events/{scenario.invitation_event_id}/invitations?delivery=sent"]


def kill(t: Topology, result: Result) -> None:
    """SIGKILL the first app server (its whole process group, as a crashed host) and the first
    mail worker; the worker comes back after the unit's RestartSec, as systemd would bring it
    back, while the app server stays down for the rest of the load."""
    victim, worker = t.app_servers[0], t.mail_workers[0]
    app_at = t.processes.kill(victim)
    gone_at = wait_until_refused(t.ports["apps"][0])
    worker_at = t.processes.kill(worker)
    worker_id = f"{socket.gethostname()}:{worker.pid}"
    held = frozenset(database.claimed_by(worker_id))
    result.kill = Kill(f"127.0.0.1:{t.ports['apps'][0]}", app_at, gone_at, worker_id, worker_at, held)
    say(f"SIGKILL app server {victim.name} (whole process group; its port refused connections "
        f"{(gone_at - app_at) * 1000:.0f} ms later) and mail worker {worker.name} ({worker_id}, holding "
        f"{len(held)} claimed messages); {t.sink.count()} messages received so far")
    delay = float(unit_setting("portal-koperasi-mail@.service", "RestartSec"))

    def restart():
        t.mail_workers.append(t.processes.restart(worker, f"{worker.name}-restarted"))
        say(f"{worker.name} restarted after RestartSec={delay:g}")

    threading.Timer(delay, restart).start()


def _wait(condition, timeout: float, interval: float = 0.5) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return False


def run_periodic_job(t: Topology) -> str:
    """The reminders timer's command, as systemd would start it."""
    done = subprocess.run(unit_command("portal-koperasi-reminders.service"), cwd=ROOT, env=t.env,
                          capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        raise RuntimeError(f"the reminders job failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout.strip().splitlines()[-1]


def wait_for_mail(t: Topology) -> None:
    deadline, last_report = time.monotonic() + t.args.mail_timeout, 0.0
    while time.monotonic() < deadline:
        pending = database.pending_mail()
        if pending == 0:
            return
        if time.monotonic() - last_report > 20:
            last_report = time.monotonic()
            say(f"mail: {t.sink.count()} received, {pending} still queued or being sent")
        time.sleep(1)
    say(f"mail: gave up waiting after {t.args.mail_timeout:.0f} s")


def run_load(t: Topology) -> Result:
    result = Result()
    with stopwatch(result.seconds, "setup"):
        prepare_database(t)
        start_servers(t)
    result.front = check_front(t, result.recorder)
    result.rate_limit = probe_rate_limit(t, result.recorder)
    with stopwatch(result.seconds, "load"):
        drive(t, result)
    result.reminders = run_periodic_job(t)
    with stopwatch(result.seconds, "mail"):
        wait_for_mail(t)
    for survivor in [*t.app_servers[1:], *t.mail_workers[1:], t.front]:  # the restarted worker too
        if not survivor.alive():
            result.problems.append(f"{survivor.name} died during the run:\n{survivor.tail()}")
    return result
