"""``make topology-test``: the production topology of deploy/ started on loopback (PostgreSQL,
Redis, two gunicorn app servers behind nginx, two mail workers, an SMTP sink), a bounded mixed
load through nginx, one app server and one mail worker killed in the middle, and the checks.

Outside CI and outside pytest's collection: ``python -m deploy.topology --help``.
"""
