"""The topology test's judge (deploy/topology/checks.py), on made-up evidence: what it lets pass
and what it fails; and its outbox queries on what the portal queues. The run itself is
`make topology-test`, outside this suite."""

from deploy.topology.checks import Kill, LogLine, check_mail, check_requests, in_flight_at_kill, read_nginx_log
from deploy.topology.database import ALL_MESSAGES, ROUND_MESSAGES, Outcome
from deploy.topology.http import Record
from deploy.topology.sink import Received
from portal.extensions import db

DEAD, ALIVE, KILLED_AT, GONE_AT = "127.0.0.1:8001", "127.0.0.1:8002", 1000.0, 1000.2
KILL = Kill(DEAD, KILLED_AT, GONE_AT, "host:42", KILLED_AT, frozenset({"held@x"}))


def _line(method="POST", status=502, started=999.5, ended=1000.5, upstreams=(DEAD,), statuses=("502",)):
    return LogLine(method, status, started, ended, upstreams, statuses)


def _record(rid, method="POST", status=502):
    return Record(rid, "load", method, "/my-cooperative/events/1/sign-up", "sign-up", status, 999.5, 1000.5)


def test_the_nginx_log_line_of_the_shipped_format_is_read_with_both_upstreams(tmp_path):
    log = tmp_path / "access.log"
    log.write_text('127.0.1.4 [2026-11-30T09:10:52+00:00] "GET /events HTTP/1.1" 200 5120 rt=0.120 '
                   'msec=1000.250 upstream="127.0.0.1:8001, 127.0.0.1:8002" upstream_status="502, 200" '
                   'urt="0.010, 0.100" rid=topo-7\n')
    line = read_nginx_log(log)["topo-7"]
    assert line.upstreams == (DEAD, ALIVE)
    assert line.upstream_statuses == ("502", "200")
    assert abs(line.started - 1000.130) < 1e-6


def test_a_post_on_the_killed_server_across_the_kill_is_in_flight():
    assert in_flight_at_kill(_line(), KILL)
    assert not in_flight_at_kill(_line(method="GET"), KILL), "a GET must have been passed on"
    assert not in_flight_at_kill(_line(upstreams=(ALIVE,)), KILL)
    assert in_flight_at_kill(_line(started=1000.1, ended=1000.3), KILL), "sent while the server was dying"
    assert not in_flight_at_kill(_line(started=1001, ended=1002), KILL), "sent after the server was gone"
    assert not in_flight_at_kill(_line(started=990, ended=995), KILL), "answered before the kill"


def test_only_in_flight_posts_may_answer_5xx():
    log = {"a": _line(), "b": _line(method="GET"), "c": _line(upstreams=(ALIVE,), statuses=("500",), status=500)}
    verdict = check_requests([_record("a"), _record("b", method="GET"), _record("c", status=500)], log, KILL)
    assert verdict.figures["in_flight_posts_502"] == 1
    assert len(verdict.problems) == 2


def test_a_request_without_an_answer_fails():
    record = Record("z", "load", "GET", "/", "home", None, 1.0, 2.0, "ConnectionResetError")
    assert check_requests([record], {}, KILL).problems


def _outcome(*ids):
    messages = {m: (f"{m}@coop", "Undangan: Rapat") for m in ids}
    return Outcome({}, len(ids), messages, {"sent": len(ids)}, {m: (*v, 1) for m, v in messages.items()})


def _got(message_id, recipient=None):
    return Received(message_id, recipient or f"{message_id}@coop", "Undangan: Rapat", 1.0)


def test_the_message_the_killed_worker_held_may_arrive_twice():
    verdict = check_mail(_outcome("held@x", "b@x"), [_got("held@x"), _got("held@x"), _got("b@x")], KILL)
    assert verdict.problems == []
    assert verdict.figures["resent_in_flight"] == ["held@x"]


def test_any_other_duplicate_fails():
    verdict = check_mail(_outcome("held@x", "b@x"), [_got("held@x"), _got("b@x"), _got("b@x")], KILL)
    assert any("Message-ID" in problem for problem in verdict.problems)


def test_the_same_invitation_under_two_message_ids_fails():
    verdict = check_mail(_outcome("a@x", "b@x"), [_got("a@x", "one@coop"), _got("b@x", "one@coop")], KILL)
    assert any("different Message-IDs" in problem for problem in verdict.problems)


def test_a_message_that_never_arrived_fails():
    verdict = check_mail(_outcome("a@x", "b@x"), [_got("a@x")], KILL)
    assert any("never arrived" in problem for problem in verdict.problems)


def test_the_judges_queries_read_an_invitation_round_the_portal_queued(invitable_event, make_invitee, invite):
    """The judge reads the outbox with its own SQL: it must name the columns the mail layer writes."""
    event = invitable_event()
    invite(event, [make_invitee(), make_invitee()])
    round_messages = db.session.execute(ROUND_MESSAGES, {"id": event.id}).all()
    assert len(round_messages) == 4, "two cooperatives, each with its own and its board member's address"
    assert {row.message_id for row in round_messages} <= {row.message_id for row in db.session.execute(ALL_MESSAGES)}
