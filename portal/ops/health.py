"""Running in production: health checks, request ids and one log line per request, proxies."""

import logging
import re
import time
import uuid
from urllib.parse import unquote_plus

from flask import Blueprint, g, request
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.middleware.proxy_fix import ProxyFix

from ..database import bounded_waits
from ..extensions import db
from ..web.pagestore import stored_page_answered

bp = Blueprint("ops", __name__)
request_log = logging.getLogger("portal.requests")
REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
# URL variables that are credentials (/reset-password/<token>, /bookmarks/feed/<token>.atom): the
# request log shows the route's pattern in their place.
SECRET_VIEW_ARGS = frozenset({"token"})
# Query parameters whose values are kept out of the log: any name containing one of these words.
SECRET_QUERY_WORDS = ("token", "key", "password", "passwd", "secret", "signature", "auth", "session")
REDACTED = "[redacted]"
_RULE_VARIABLE = re.compile(r"<(?:[^<>:]+:)?([^<>:]+)>")
# A path that matched no route (a reset link mangled by a mail client, say), or a query value
# (`next=/reset-password/…`), may still carry a token: long runs of the token alphabet with a
# capital letter in them (slugs have none).
_TOKEN_LIKE = re.compile(r"(?<![A-Za-z0-9_.-])(?=[A-Za-z0-9_.-]*[A-Z])[A-Za-z0-9_.-]{20,}")


@bp.get("/healthz")
def healthz():
    """The process is up and serving (no dependency is asked)."""
    return {"status": "ok"}, 200, {"Cache-Control": "no-store"}


READY_WAIT_SECONDS = 1.0


@bp.get("/readyz")
def readyz():
    """Ready for traffic: the database answers, and quickly. A second for each wait (two to open a
    connection, psycopg's least) and no second try, so a stalled database answers 503 within 3 s."""
    try:
        with bounded_waits(READY_WAIT_SECONDS), db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError:
        return {"status": "database unavailable"}, 503, {"Cache-Control": "no-store", "Retry-After": "5"}
    return {"status": "ready"}, 200, {"Cache-Control": "no-store"}


def start_request():
    incoming = request.headers.get("X-Request-ID", "")
    # Keep a load balancer's id so its logs and ours line up; make one otherwise.
    g.request_id = incoming if REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex
    g.request_started = time.perf_counter()


def finish_request(response):
    request_id = g.get("request_id")
    if request_id is None:  # the request failed before start_request ran
        return response
    response.headers["X-Request-ID"] = request_id
    duration_ms = (time.perf_counter() - g.request_started) * 1000
    request_log.info("%s %s %s %.1fms id=%s", request.method, logged_path(), response.status_code,
                     duration_ms, request_id)
    return response


def log_stored_page(app, environ, status: int, seconds: float):
    """A page the page cache answered in front of Flask: its log line and request id, as
    finish_request gives every other answer."""
    incoming = environ.get("HTTP_X_REQUEST_ID", "")
    request_id = incoming if REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex
    query = environ.get("QUERY_STRING", "")
    path = environ.get("PATH_INFO", "")
    if query:
        path = f"{path}?{'&'.join(_logged_pair(pair) for pair in query.split('&'))}"
    request_log.info("%s %s %s %.1fms id=%s", environ["REQUEST_METHOD"], path, status, seconds * 1000, request_id)
    return [("X-Request-ID", request_id)]


def logged_path() -> str:
    """The request's path and query as the log shows them: secret URL variables as their
    placeholder (<token>), secret query values as [redacted]."""
    rule, values = request.url_rule, request.view_args or {}
    path = request.path
    if rule is None:
        path = _TOKEN_LIKE.sub(REDACTED, path)
    elif SECRET_VIEW_ARGS.intersection(values):
        path = _RULE_VARIABLE.sub(
            lambda m: f"<{m[1]}>" if m[1] in SECRET_VIEW_ARGS else str(values.get(m[1], m[0])), rule.rule)
    query = request.query_string.decode("utf-8", "replace")
    if not query:
        return path
    return f"{path}?{'&'.join(_logged_pair(pair) for pair in query.split('&'))}"


def _logged_pair(pair: str) -> str:
    name, equals, value = pair.partition("=")
    if equals and (any(word in unquote_plus(name).lower() for word in SECRET_QUERY_WORDS)
                   or _TOKEN_LIKE.search(unquote_plus(value))):
        return f"{name}={REDACTED}"
    return pair


def init_app(app):
    app.register_blueprint(bp)
    app.before_request(start_request)
    app.after_request(finish_request)
    stored_page_answered.connect(log_stored_page)
    if not request_log.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        request_log.addHandler(handler)
        request_log.propagate = False
    if request_log.level == logging.NOTSET:  # a level set by the host (a benchmark, say) stays
        request_log.setLevel(logging.INFO)
    proxies = app.config["PROXY_COUNT"]
    if proxies:
        # Trust exactly this many proxies' X-Forwarded-For/-Proto/-Host: rate limits and logs then
        # see the reader's address, and links the reader's scheme and host. Port and prefix
        # headers are not trusted: a load balancer that doesn't set them would pass a reader's own.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)
