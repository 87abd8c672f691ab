"""The checks over everything the run recorded, and the summary printed at the end."""

import subprocess

from deploy.topology import database
from deploy.topology.checks import check_mail, check_requests, check_seats, read_nginx_log


def _nginx_version(binary: str) -> str:
    done = subprocess.run([binary, "-v"], capture_output=True, text=True)
    return (done.stderr or done.stdout).strip().removeprefix("nginx version: ")


def _front_problems(result) -> list[str]:
    problems = [f"front door: {name} failed" for name, ok in result.front.items() if not ok]
    rate = result.rate_limit
    if rate["allowed"] != rate["limit"] or rate["refused"] != rate["tried"] - rate["limit"]:
        problems.append(f"shared rate limit: {rate['allowed']} of {rate['tried']} allowed, limit {rate['limit']}")
    if rate["other_client"] != 404:
        problems.append(f"another client was refused by the first client's limit ({rate['other_client']})")
    return problems


def print_summary(t, result) -> bool:
    records = result.recorder.snapshot()
    log = read_nginx_log(t.access_log)
    requests = check_requests(records, log, result.kill)
    outcome = database.read_outcome(t.scenario)
    seats = check_seats(outcome, t.scenario, result.signups, requests.figures["in_flight_posts_502"])
    mail = check_mail(outcome, t.sink.snapshot(), result.kill)
    probe_servers = {log[rid].upstreams[-1] for rid in result.rate_limit["request_ids"] if rid in log}
    problems = [*_front_problems(result), *requests.problems, *seats.problems, *mail.problems, *result.problems]
    if len(probe_servers) < 2:
        problems.append(f"the rate-limit probe reached only {probe_servers}")
    if outcome.invitations != t.scenario.cooperatives or result.invitation_round["preview"] != t.scenario.cooperatives:
        problems.append(f"invitations: {outcome.invitations} made, preview {result.invitation_round['preview']}, "
                        f"expected {t.scenario.cooperatives}")

    r, s, m, k, rate = requests.figures, seats.figures, mail.figures, result.kill, result.rate_limit
    by_phase = {}
    for record in records:
        by_phase[record.phase] = by_phase.get(record.phase, 0) + 1
    print()
    print("=" * 78)
    print("Portal Koperasi: production topology on loopback")
    print("=" * 78)
    print(f"nginx {_nginx_version(t.nginx)} (TLS on :{t.ports['https']}, http :{t.ports['http']} -> https), "
          f"{len(t.app_servers)} gunicorn app servers x {t.env['GUNICORN_WORKERS']} workers "
          f"(:{', :'.join(map(str, t.ports['apps']))}), {t.args.mail_workers} mail workers, "
          f"PostgreSQL {t.args.database.rsplit('/', 1)[-1]}, Redis {t.args.redis}, SMTP sink :{t.sink.port}")
    print(f"nginx -t on the shipped site: {t.nginx_test.splitlines()[-1] if t.nginx_test else '?'}")
    front = ", ".join(f"{name} {'ok' if ok else 'FAILED'}" for name, ok in result.front.items())
    print(f"front door: {front}")
    print(f"shared rate limit (Redis): {rate['allowed']} of {rate['tried']} certificate checks allowed from one "
          f"client over {len(probe_servers)} app servers (limit {rate['limit']}/min; per-server memory would allow "
          f"up to {rate['limit'] * len(probe_servers)}); another client answered {rate['other_client']}")
    print(f"requests through nginx: {r['requests']} ({', '.join(f'{p} {n}' for p, n in by_phase.items())}); "
          f"by status {r['by_status']}")
    print(f"  served by {dict(r['served_by'])}")
    print(f"  killed app server {k.app_server} (port refused {(k.app_gone_at - k.app_at) * 1000:.0f} ms after "
          f"SIGKILL): POSTs in flight answered 502: {r['in_flight_posts_502']} "
          f"{dict(r['in_flight_labels']) or ''}")
    print(f"  passed on to the other server by nginx: {r['retried_get_in_flight']} GETs in flight at the kill, "
          f"{r['retried_get_later']} GETs and {r['retried_post_refused']} POSTs refused by the dead server later")
    print(f"seats: {s['taken']} taken of {s['seats']}, {s['waitlisted']} waitlisted, oversold {s['oversold']} "
          f"({s['posts']} sign-up POSTs, {s['answered_302']} answered 302; registrations {s['by_status']})")
    print(f"invitation round: {outcome.invitations} cooperatives invited through the form (preview said "
          f"{result.invitation_round['preview']}), POST {result.invitation_round['status']} in "
          f"{result.invitation_round['seconds']:.1f} s")
    print(f"mail: invitations expected {m['round_expected']}, delivered {m['round_delivered']} "
          f"(received {m['round_received']}); all mail queued {m['queued_total']}, received {m['received_total']}; "
          f"duplicates by Message-ID {m['duplicates_by_message_id']} (the killed worker's message in flight, "
          f"re-sent after its lease: {m['resent_in_flight'] or 'none'}), "
          f"duplicates by recipient+subject {m['duplicates_by_recipient_subject']}")
    print(f"  killed mail worker {k.worker_id} held {m['worker_held_at_kill']} claimed messages; "
          f"{m['resent_after_lease']} of them were claimed again after the lease")
    print(f"periodic job (reminders timer's command): {result.reminders}")
    seconds = result.seconds
    rate = m["received_total"] / max(seconds["load"] + seconds["mail"], 1)
    print(f"time: setup {seconds['setup']:.0f} s, load {seconds['load']:.0f} s, mail drain after the load "
          f"{seconds['mail']:.0f} s ({rate:.1f} messages/s since the round was sent), "
          f"total {seconds.get('total', 0):.0f} s")
    for problem in problems:
        print(f"PROBLEM: {problem}")
    print("RESULT: " + ("PASSED" if not problems else f"FAILED ({len(problems)} problems)"))
    return not problems
