"""What the run must show: no 5xx beyond the killed server's in-flight POSTs, no oversold seat,
every invitation delivered exactly once. Each check returns its problems and its figures."""

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from deploy.topology.database import Outcome, Scenario
from deploy.topology.http import Record
from deploy.topology.sink import Received, duplicates_by_message_id, duplicates_by_recipient_and_subject

IDEMPOTENT = {"GET", "HEAD", "OPTIONS"}
UNLOGGED = ("/static/", "/bootstrap/static/")  # the site serves them with access_log off
# nginx stamps a line when it has answered; a request in flight began before the kill and ended after.
CLOCK_SLACK = 0.05
LINE = re.compile(r'"(?P<method>[A-Z]+) (?P<uri>\S+) [^"]*" (?P<status>\d{3}) \d+ rt=(?P<rt>[\d.]+) '
                  r'msec=(?P<msec>[\d.]+) upstream="(?P<upstreams>[^"]*)" upstream_status="(?P<ustatus>[^"]*)" '
                  r'urt="[^"]*" rid=(?P<rid>\S+)')


@dataclass(frozen=True)
class Kill:
    """A kill is a moment (SIGKILL sent) and a short interval after it: until the last process of
    the group is gone, the kernel still accepts connections on its port, and a request nginx sends
    then is lost with the server."""

    app_server: str  # "127.0.0.1:port"
    app_at: float
    app_gone_at: float  # the first moment its port refused a connection
    worker_id: str
    worker_at: float
    worker_claimed: frozenset[str]


@dataclass(frozen=True)
class LogLine:
    method: str
    status: int
    started: float
    ended: float
    upstreams: tuple[str, ...]
    upstream_statuses: tuple[str, ...]


@dataclass
class Verdict:
    problems: list[str] = field(default_factory=list)
    figures: dict = field(default_factory=dict)


def read_nginx_log(path: Path) -> dict[str, LogLine]:
    lines = {}
    for text in path.read_text(errors="replace").splitlines():
        match = LINE.search(text)
        if match is None:
            continue
        ended = float(match["msec"])
        lines[match["rid"]] = LogLine(
            match["method"], int(match["status"]), ended - float(match["rt"]), ended,
            tuple(u.strip() for u in re.split(r"[,:]\s+|,\s*", match["upstreams"]) if u.strip() and u != "-"),
            tuple(s.strip() for s in re.split(r"[,:]\s*", match["ustatus"]) if s.strip()))
    return lines


def in_flight_at_kill(line: LogLine, kill: Kill) -> bool:
    """A POST that reached the killed server before it was gone and was answered by nginx after the
    SIGKILL."""
    return (line.method not in IDEMPOTENT and line.upstreams[-1:] == (kill.app_server,)
            and line.started <= kill.app_gone_at + CLOCK_SLACK and line.ended >= kill.app_at - CLOCK_SLACK)


def check_requests(records: list[Record], log: dict[str, LogLine], kill: Kill) -> Verdict:
    verdict = Verdict()
    in_flight, statuses = [], Counter()
    for record in records:
        statuses[record.status if record.status is not None else "no answer"] += 1
        if record.status is None:
            verdict.problems.append(f"{record.method} {record.label}: no HTTP answer ({record.error})")
        elif record.status >= 500:
            line = log.get(record.request_id)
            if line is not None and in_flight_at_kill(line, kill):
                in_flight.append(record)
            else:
                verdict.problems.append(f"{record.method} {record.label} answered {record.status} "
                                        f"(id {record.request_id}; nginx: {line})")
    missing = [r.request_id for r in records
               if r.request_id not in log and r.status is not None and not r.path.startswith(UNLOGGED)]
    if missing:
        verdict.problems.append(f"{len(missing)} answered requests missing from nginx's log, e.g. {missing[:3]}")
    retried = [line for line in log.values() if len(line.upstreams) > 1]
    verdict.figures = {
        "requests": len(records), "by_status": dict(sorted(statuses.items(), key=lambda kv: str(kv[0]))),
        "in_flight_posts_502": len(in_flight), "in_flight_labels": Counter(r.label for r in in_flight),
        "retried_get_in_flight": sum(1 for line in retried if line.method in IDEMPOTENT and line.status < 500
                                     and line.started <= kill.app_gone_at),
        "retried_get_later": sum(1 for line in retried if line.method in IDEMPOTENT and line.status < 500
                                 and line.started > kill.app_gone_at),
        "retried_post_refused": sum(1 for line in retried if line.method not in IDEMPOTENT and line.status < 500),
        "served_by": Counter(line.upstreams[-1] for line in log.values() if line.upstreams),
    }
    return verdict


def check_seats(outcome: Outcome, scenario: Scenario, statuses: list[int | None], in_flight: int) -> Verdict:
    verdict = Verdict()
    taken = outcome.registrations.get("confirmed", 0)
    waiting = outcome.registrations.get("waitlisted", 0)
    made = sum(outcome.registrations.values())
    answered = sum(1 for status in statuses if status == 302)
    if taken > scenario.seats:
        verdict.problems.append(f"oversold: {taken} confirmed for {scenario.seats} seats")
    if made >= scenario.seats and taken < scenario.seats:
        verdict.problems.append(f"seats lost: {taken} confirmed of {scenario.seats} with {made} sign-ups")
    if not answered <= made <= answered + in_flight:
        verdict.problems.append(f"{made} registrations in the database for {answered} sign-ups answered 302 "
                                f"and {in_flight} in flight at the kill")
    others = [status for status in statuses if status not in (302, 502)]
    if others:
        verdict.problems.append(f"sign-ups answered {Counter(others)}")
    verdict.figures = {"seats": scenario.seats, "taken": taken, "waitlisted": waiting, "registrations": made,
                       "posts": len(statuses), "answered_302": answered,
                       "oversold": max(taken - scenario.seats, 0), "by_status": dict(outcome.registrations)}
    return verdict


def check_mail(outcome: Outcome, received: list[Received], kill: Kill) -> Verdict:
    """Every queued message arrived; the only duplicate allowed is the one message the killed
    worker had in flight, sent again with the same Message-ID after its lease ran out."""
    verdict = Verdict()
    arrived = {r.message_id for r in received}
    missing_round = set(outcome.round_messages) - arrived
    missing_all = set(outcome.all_messages) - arrived
    unknown = arrived - set(outcome.all_messages)
    resent = duplicates_by_message_id(received)
    allowed = {m: n for m, n in resent.items() if m in kill.worker_claimed and n == 2}
    round_received = [r for r in received if r.message_id in outcome.round_messages]
    # Two invitations never share an address and a subject; other mail may (a board member is
    # told about each person signed up), so only the round is held to this.
    same_mail_twice = duplicates_by_recipient_and_subject(round_received)
    unsent = {status: n for status, n in outcome.messages_by_status.items() if status not in ("sent", "cancelled")}
    if missing_round:
        verdict.problems.append(f"{len(missing_round)} invitation messages never arrived, e.g. "
                                f"{sorted(missing_round)[:3]}")
    if missing_all - missing_round:
        verdict.problems.append(f"{len(missing_all - missing_round)} other messages never arrived")
    if unsent:
        verdict.problems.append(f"outbox not fully sent: {unsent}")
    if unknown:
        verdict.problems.append(f"{len(unknown)} messages arrived that no outbox row holds")
    if len(allowed) != len(resent) or len(allowed) > 1:
        verdict.problems.append(f"{len(resent)} Message-IDs arrived more than once, beyond the killed worker's "
                                f"message in flight, e.g. {dict(list(resent.items())[:3])}")
    if same_mail_twice:
        example = next(iter(same_mail_twice.items()))
        verdict.problems.append(f"{len(same_mail_twice)} invitations arrived twice under different "
                                f"Message-IDs, e.g. {example}")
    verdict.figures = {
        "round_expected": len(outcome.round_messages), "round_delivered": len(set(outcome.round_messages) & arrived),
        "round_received": len(round_received), "queued_total": len(outcome.all_messages),
        "received_total": len(received), "duplicates_by_message_id": sum(n - 1 for n in resent.values()),
        "resent_in_flight": sorted(allowed), "duplicates_by_recipient_subject": len(same_mail_twice),
        "worker_held_at_kill": len(kill.worker_claimed),
        "resent_after_lease": sum(1 for m in kill.worker_claimed if outcome.all_messages.get(m, ("", "", 0))[2] > 1),
    }
    return verdict
