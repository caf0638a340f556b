"""gunicorn settings for production: `make serve`, or `gunicorn -c gunicorn.conf.py wsgi:app`.

PORTAL_BIND and PORTAL_WORKERS override the address and the number of worker processes;
PROMETHEUS_MULTIPROC_DIR the folder where the workers' metrics meet (emptied at start).
"""

import os
import shutil
import tempfile
from pathlib import Path

# Loopback unless told otherwise: gthread workers are few, and a client that sends its request
# slowly holds one; only a reverse proxy that buffers whole requests (docs/deploy.md) may reach them.
bind = os.environ.get("PORTAL_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("PORTAL_WORKERS", "2"))
# gevent's loop for connections, so each worker holds thousands of open streams (/live/stream),
# with pages answered by a pool of PORTAL_THREADS real threads (portal/push/worker.py).
worker_class = "portal.push.worker.StreamingWorker"
threads = int(os.environ.get("PORTAL_THREADS", "4"))
worker_connections = int(os.environ.get("PORTAL_WORKER_CONNECTIONS", "10000"))
# A request that takes longer than this is stuck (the database's own timeouts are seconds).
timeout = 30
graceful_timeout = 30
keepalive = 5
# No recycling by request count: a worker holds its readers' streams, and a restart would drop
# thousands at once (gunicorn's --max-requests remains for whoever wants it).
max_requests = 0
# The app writes one line per request (with its request id) itself; gunicorn's would repeat it.
# No control socket: nothing here uses gunicorn's control commands, and every server on the
# machine would share ~/.gunicorn/gunicorn.ctl (two releases side by side, the tests, the
# benchmark's bare app).
control_socket_disable = True
accesslog = None
errorlog = "-"
loglevel = "info"
# gunicorn trusts no forwarded header from anyone, whatever FORWARDED_ALLOW_IPS says (and a unix
# socket's peer would be trusted): ProxyFix, with PORTAL_PROXY_COUNT, alone decides which count.
forwarded_allow_ips = ""
secure_scheme_headers = {}
forwarder_headers = ""


# The folder where each worker writes its metrics for /metrics to add up (prometheus_client's
# multiprocess mode): PROMETHEUS_MULTIPROC_DIR when the environment sets it, else one made here.
# Here, as gunicorn reads this file, and not in a hook: loading the worker class imports the portal,
# and prometheus_client with it, before any hook runs, and prometheus_client chooses its mode on
# import. (With preload_app the app would be imported earlier still: leave it off.)
_made_metrics_folder = None
if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    _made_metrics_folder = os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="portal-metrics-")


def on_starting(server):
    # Files of an earlier run would be counted again.
    folder = Path(os.environ["PROMETHEUS_MULTIPROC_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    for leftover in folder.glob("*.db"):
        leftover.unlink()
    if server.cfg.workers > 1 and not os.environ.get("PORTAL_REDIS_URL"):
        server.log.warning(
            "PORTAL_REDIS_URL is not set: each of the %d workers counts rate limits on its own, so a "
            "limit allows up to %d times as many attempts. Set PORTAL_REDIS_URL to share them.",
            server.cfg.workers, server.cfg.workers)


def child_exit(server, worker):
    # Imported only here, once PROMETHEUS_MULTIPROC_DIR is set: workers forked later inherit the module.
    from prometheus_client import multiprocess

    # Its live gauges go; its counts stay, and the next scrape folds them in (portal/web/metrics.py).
    multiprocess.mark_process_dead(worker.pid)


def on_exit(server):
    if _made_metrics_folder:
        shutil.rmtree(_made_metrics_folder, ignore_errors=True)
