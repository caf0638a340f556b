"""gunicorn settings for production: `make serve`, or `gunicorn -c gunicorn.conf.py wsgi:app`.

PORTAL_BIND and PORTAL_WORKERS override the address and the number of worker processes.
"""

import multiprocessing
import os

bind = os.environ.get("PORTAL_BIND", "0.0.0.0:8000")
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
forwarded_allow_ips = "*"  # ProxyFix (PORTAL_PROXY_COUNT) decides which forwarded headers count
