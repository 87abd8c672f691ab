"""gunicorn settings for one Portal Koperasi app server (see deploy/README.md).

Sync workers behind nginx: nginx buffers slow clients (a treasurer's phone on a mobile link), so a
worker is busy only while the app itself works. The listening address comes from the command line
(``--bind 127.0.0.1:8001``, one systemd instance per port); the rest from the environment file.
"""

import multiprocessing
import os

workers = int(os.environ.get("GUNICORN_WORKERS") or multiprocessing.cpu_count() * 2 + 1)
worker_class = "sync"
# Above the slowest request (a round of 10,000 invitations takes a few seconds); nginx waits 75 s.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
# A worker is replaced after this many requests, so slow growth (fonts, caches) cannot accumulate.
max_requests = 2000
max_requests_jitter = 200

# nginx writes the access log (with the upstream that answered and the request id); gunicorn
# writes errors to stderr, which systemd keeps in the journal.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")

# Only nginx reaches the app servers. The app reads the client's address and scheme from nginx's
# X-Forwarded-* headers (PROXY_COUNT=1); gunicorn trusts them from these addresses.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# gunicorn's control socket lives at one path per user by default, which two app servers on one
# host would fight over; the portal uses none.
control_socket_disable = True
