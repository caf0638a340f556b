"""The site's health for operators: Prometheus metrics (prometheus_client) at /metrics.

Per request: a count and a latency histogram by endpoint, method and status, and the SQL
statements executed (a before_cursor_execute listener on the app's engines, counted only while a
request is being answered). Other plumbing reports the page cache's outcomes (record_cache) and
the content version it serves (record_content_version).

Label values are bounded: a request no route matched is "unmatched", a method outside METHODS
"other", and the statuses are the few the app answers with.

/metrics is served by a WSGI middleware in front of Flask, not by a view: a scrape never opens
the session, sets a cookie, meets the rate limiter or TRUSTED_HOSTS (Prometheus asks for
127.0.0.1:8000, not the public host), and is not counted as a reader's request. Only loopback
may scrape it, or, when METRICS_TOKEN is set, whoever sends `Authorization: Bearer <token>`
(then the token is required from loopback too: behind a proxy on the same machine every
request comes from loopback). Everyone else gets the site's own 404, as for any unknown page.
ProxyFix (ops, PORTAL_PROXY_COUNT) wraps this middleware, so the address is the reader's.

Under gunicorn with several workers, PROMETHEUS_MULTIPROC_DIR (set up by gunicorn.conf.py) puts
prometheus_client in multiprocess mode: each worker writes its values to files there and a
scrape adds up every worker's. Otherwise (flask run, tests) each app has a registry of its own.
"""

import fcntl
import glob
import hmac
import ipaddress
import os
import time
from contextlib import contextmanager
from contextvars import ContextVar

from flask import current_app, request
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, make_wsgi_app
from prometheus_client.mmap_dict import MmapedDict
from prometheus_client.multiprocess import MultiProcessCollector
from sqlalchemy import event

from ..extensions import db

PATH = "/metrics"
UNMATCHED = "unmatched"
OTHER_METHOD = "other"
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
CACHE_OUTCOMES = ("hit", "miss", "bypass")
# Seconds: a cached page answers in about a millisecond, a search in up to hundreds.
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
# What files of workers that have exited are folded into, in multiprocess mode (see fold_exited_workers).
EXITED = "exited"


class _Tally:
    __slots__ = ("started", "statements")

    def __init__(self, started: float):
        self.started = started
        self.statements = 0


# The tally of the request this thread is answering (a gthread worker answers one a thread): set as
# a request comes in, cleared once it is recorded.
_current: ContextVar[_Tally | None] = ContextVar("metrics_request", default=None)


class Metrics:
    """One app's metrics and its per-request hooks."""

    def __init__(self, registry: CollectorRegistry):
        # First, so that in multiprocess mode a worker's file of live gauges exists before any of
        # its counters' files: a counter file whose worker has none has exited (fold_exited_workers).
        self.workers = Gauge("portal_workers", "Worker processes serving the site.",
                             multiprocess_mode="livesum", registry=registry)
        self.workers.set(1)
        labels = ("endpoint", "method", "status")
        self.requests = Counter("portal_http_requests", "Requests answered, by endpoint, method and status.",
                                labels, registry=registry)
        self.latency = Histogram("portal_http_request_duration_seconds",
                                 "Seconds from the request's start to its response, by endpoint, method and status.",
                                 labels, buckets=LATENCY_BUCKETS, registry=registry)
        self.statements = Counter("portal_db_statements",
                                  "SQL statements executed while answering requests, by endpoint.",
                                  ("endpoint",), registry=registry)
        cache = Counter("portal_page_cache_requests", "Page cache lookups, by outcome.", ("outcome",),
                        registry=registry)
        # Made now, so each outcome is reported (as 0) before it first happens.
        self.cache_outcomes = {outcome: cache.labels(outcome) for outcome in CACHE_OUTCOMES}
        # In multiprocess mode, what the live workers last recorded (a worker that exits takes its value along).
        self.content_version = Gauge("portal_content_version", "The content version the page cache serves.",
                                     multiprocess_mode="livemostrecent", registry=registry)
        # Server-sent event streams (portal.push): how many are open, and how late the news reached them.
        self.open_streams = Gauge("portal_open_streams", "Event streams open (/live/stream).",
                                  multiprocess_mode="livesum", registry=registry)
        self.notifier_lag = Gauge("portal_stream_notifier_lag_seconds",
                                  "Seconds from the newest story's publication to the snapshot that told the streams.",
                                  multiprocess_mode="livemax", registry=registry)
        # Label children by labels: prometheus_client's labels() costs more than the increment.
        self._series: dict[tuple, tuple] = {}
        self._statement_series: dict[str, object] = {}

    def finish_request(self, response):
        self.record_answer(request.endpoint, request.method, response.status_code)
        return response

    def record_answer(self, endpoint: str | None, method: str, status: int) -> None:
        """The request this thread is answering: counted, timed and its statements added up
        (also for pages the page cache answers in front of Flask)."""
        tally = _current.get()
        if tally is None:
            return
        _current.set(None)
        elapsed = time.perf_counter() - tally.started
        endpoint = endpoint or UNMATCHED
        if method not in METHODS:
            method = OTHER_METHOD
        key = (endpoint, method, status)
        series = self._series.get(key)
        if series is None:
            labels = (endpoint, method, str(status))
            series = self._series[key] = (self.requests.labels(*labels), self.latency.labels(*labels))
        series[0].inc()
        series[1].observe(elapsed)
        if tally.statements:
            statements = self._statement_series.get(endpoint)
            if statements is None:
                statements = self._statement_series[endpoint] = self.statements.labels(endpoint)
            statements.inc(tally.statements)


def count_statement(*_args):
    """before_cursor_execute: one statement (an executemany counts once), if inside a request."""
    tally = _current.get()
    if tally is not None:
        tally.statements += 1


def record_cache(outcome: str) -> None:
    """A page cache lookup: "hit", "miss" or "bypass". Needs an app context."""
    current_app.extensions["portal_metrics"].cache_outcomes[outcome].inc()


def record_answer(endpoint: str | None, method: str, status: int) -> None:
    """An answer given without Flask's request hooks (a stored page). Needs an app context."""
    current_app.extensions["portal_metrics"].record_answer(endpoint, method, status)


def record_content_version(value: int) -> None:
    """The content version the page cache now serves. Needs an app context."""
    current_app.extensions["portal_metrics"].content_version.set(value)


class MetricsMiddleware:
    """WSGI middleware in front of the Flask app: starts each request's tally (so a request that
    a before_request function ends, for CSRF or a rate limit, is counted and timed too), and
    answers GET /metrics for those allowed."""

    def __init__(self, wsgi_app, registry, token: bytes | None, directory: str | None):
        self.wsgi_app = wsgi_app
        # prometheus_client's own exposition: the text format (or OpenMetrics when asked), gzip when accepted.
        self.export = make_wsgi_app(registry)
        self.token = token
        self.directory = directory

    def __call__(self, environ, start_response):
        if environ.get("PATH_INFO") != PATH or environ["REQUEST_METHOD"] != "GET" or not self.allowed(environ):
            _current.set(_Tally(time.perf_counter()))
            return self.wsgi_app(environ, start_response)

        def start_uncached(status, headers, exc_info=None):
            headers = [*headers, ("Cache-Control", "no-store"), ("X-Content-Type-Options", "nosniff")]
            return start_response(status, headers, exc_info)

        if self.directory is None:
            return self.export(environ, start_uncached)
        with locked(self.directory):
            fold_exited_workers(self.directory)
            return self.export(environ, start_uncached)

    def allowed(self, environ) -> bool:
        if self.token is None:
            return is_loopback(environ.get("REMOTE_ADDR") or "")
        scheme, _, credentials = environ.get("HTTP_AUTHORIZATION", "").partition(" ")
        # WSGI headers are latin-1 strings: back to the bytes that were sent.
        sent = credentials.strip().encode("latin-1", "replace")
        return scheme.lower() == "bearer" and hmac.compare_digest(sent, self.token)


def is_loopback(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False  # no address (a unix socket's peer): not known to be this machine
    mapped = getattr(ip, "ipv4_mapped", None)  # ::ffff:127.0.0.1 from a dual-stack socket
    return ip.is_loopback or bool(mapped and mapped.is_loopback)


@contextmanager
def locked(directory: str):
    """Scrapes, in whichever worker, take turns: each folds and reads the files alone."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock


def fold_exited_workers(directory: str) -> None:
    """Add the counters and histograms of workers that have exited into one file per type, and
    delete theirs. Each worker gunicorn starts (every ~10,000 requests, max_requests) leaves files
    that prometheus_client never removes; a scrape reads every file, so without this it would grow
    slower by the day. A worker has exited when its live-gauge file is gone (gunicorn's child_exit
    calls mark_process_dead). Runs under locked(): no other scrape reads meanwhile."""
    live = {_pid(path) for path in glob.glob(os.path.join(directory, "gauge_livesum_*.db"))}
    for kind in ("counter", "histogram"):
        exited = [path for path in glob.glob(os.path.join(directory, f"{kind}_*.db"))
                  if _pid(path).isdigit() and _pid(path) not in live]
        if not exited:
            continue
        totals = MmapedDict(os.path.join(directory, f"{kind}_{EXITED}.db"))
        try:
            for path in exited:
                for key, value, _timestamp, _position in MmapedDict.read_all_values_from_file(path):
                    total, _ = totals.read_value(key)
                    totals.write_value(key, total + value, 0.0)
                os.remove(path)
        finally:
            totals.close()


def _pid(path: str) -> str:
    return os.path.basename(path).rsplit("_", 1)[1].removesuffix(".db")


def _token(value) -> bytes | None:
    # PORTAL_METRICS_TOKEN is JSON-decoded like every setting: a token of digits arrives as a number.
    return None if value is None or value == "" else str(value).encode()


def init_app(app):
    app.config.setdefault("METRICS_TOKEN", None)
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    registry = CollectorRegistry()
    metrics = Metrics(registry)
    if directory:
        # What a scrape reads: every worker's files, not this process's values alone.
        registry = CollectorRegistry()
        MultiProcessCollector(registry, path=directory)
    app.extensions["portal_metrics"] = metrics
    app.after_request(metrics.finish_request)
    with app.app_context():
        for engine in db.engines.values():
            event.listen(engine, "before_cursor_execute", count_statement)
    app.wsgi_app = MetricsMiddleware(app.wsgi_app, registry, _token(app.config["METRICS_TOKEN"]), directory or None)
