"""gunicorn settings for production: `make serve`, or `gunicorn -c gunicorn.conf.py wsgi:app`.

PORTAL_BIND and PORTAL_WORKERS override the address and the number of worker processes.
"""

import multiprocessing
import os

# Loopback unless told otherwise: gthread workers are few, and a client that sends its request
# slowly holds one; only a reverse proxy that buffers whole requests (docs/deploy.md) may reach them.
bind = os.environ.get("PORTAL_BIND", "127.0.0.1:8000")
# The usual rule for I/O-bound apps: two workers a core, plus one.
workers = int(os.environ.get("PORTAL_WORKERS", str(multiprocessing.cpu_count() * 2 + 1)))
worker_class = "gthread"
threads = int(os.environ.get("PORTAL_THREADS", "4"))
# A request that takes longer than this is stuck (the database's own timeouts are seconds).
timeout = 30
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then, so a slow leak can't grow without bound.
max_requests = 10_000
max_requests_jitter = 1_000
# The app writes one line per request (with its request id) itself; gunicorn's would repeat it.
accesslog = None
errorlog = "-"
loglevel = "info"
# gunicorn trusts no forwarded header from anyone, whatever FORWARDED_ALLOW_IPS says (and a unix
# socket's peer would be trusted): ProxyFix, with PORTAL_PROXY_COUNT, alone decides which count.
forwarded_allow_ips = ""
secure_scheme_headers = {}
forwarder_headers = ""


def on_starting(server):
    if server.cfg.workers > 1 and not os.environ.get("PORTAL_REDIS_URL"):
        server.log.warning(
            "PORTAL_REDIS_URL is not set: each of the %d workers counts rate limits on its own, so a "
            "limit allows up to %d times as many attempts. Set PORTAL_REDIS_URL to share them.",
            server.cfg.workers, server.cfg.workers)
