"""Site-wide request plumbing: absolute links, security headers, error pages, template helpers."""

from datetime import UTC, datetime
from urllib.parse import urlsplit

from flask import Request, abort, current_app, g, make_response, render_template, request, url_for
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DataError, InterfaceError, OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from werkzeug.exceptions import HTTPException, SecurityError
from werkzeug.formparser import FormDataParser

from .extensions import db, login_manager
from .htmx import is_fragment_request
from .models import all_sections


def absolute_url(endpoint: str, **values) -> str:
    """An absolute link: PORTAL_PUBLIC_URL when set, otherwise the request's own host."""
    public = current_app.config["PUBLIC_URL"]
    if public:
        return public + url_for(endpoint, **values)
    return url_for(endpoint, _external=True, **values)


# ---- input no view can use ---------------------------------------------------

class NamedPartsParser(FormDataParser):
    """Form data without the multipart parts that have no name. RFC 7578 requires one; werkzeug
    files such a part under the key None, which breaks code that expects text keys (flask-wtf's
    CSRF check calls key.endswith on every key when the token is missing: a 500 on every POST)."""

    def parse(self, *args, **kwargs):
        stream, form, files = super().parse(*args, **kwargs)
        for file in files.getlist(None):
            file.close()  # the request closes only the files it keeps
        return stream, self._named(form), self._named(files)

    def _named(self, data):
        if None not in data:
            return data
        return self.cls((key, value) for key, value in data.items(multi=True) if key is not None)


class PortalRequest(Request):
    form_data_parser_class = NamedPartsParser


def refuse_nul_in_path():
    """A NUL can be in no slug or token (PostgreSQL refuses it in text): such an address names
    nothing, on any database."""
    if any(isinstance(value, str) and "\x00" in value for value in (request.view_args or {}).values()):
        abort(404)


def handle_refused_data(error: DataError):
    """A value the database cannot hold (a NUL in a query value on PostgreSQL, say): the request
    is at fault, so a 400 page rather than a 500."""
    current_app.logger.warning("Refused data on %s %s: %s", request.method, request.path,
                               type(getattr(error, "orig", None) or error).__name__)
    db.session.rollback()
    return render_template(
        "errors/error.html", code=400, heading=ERROR_PAGES[400][0],
        reason="It contains a character we can’t accept.", advice=ERROR_PAGES[400][1],
    ), 400


# ---- security headers -------------------------------------------------------

def content_security_policy() -> str:
    script_src = "'self'"
    if current_app.config["HTMX_CDN"]:
        # The one pinned file, not the CDN's origin: jsDelivr serves every file of every npm package.
        script_src += " " + current_app.config["HTMX_CDN_URL"]
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src {script_src}",
            "style-src 'self'",
            "img-src 'self' data:",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


def set_security_headers(response):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", content_security_policy())
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    # A response that chose its caching (a public QR image, a feed) never asks who is signed in.
    if "Cache-Control" not in headers and current_user.is_authenticated:
        # Pages for a signed-in reader show their own data: never to a shared cache.
        headers["Cache-Control"] = "private, no-cache"
    return response


def release_database_session(_error=None):
    """End the request's session. A connection the database dropped mid-request cannot even be
    rolled back: invalidate it (the pool opens a fresh one) rather than fail the response."""
    try:
        db.session.remove()
    except SQLAlchemyError:
        current_app.logger.warning("Dropped a database connection that had gone away")
        db.session().invalidate()
        db.session.remove()


def handle_database_unavailable(error: SQLAlchemyError):
    """The database is down, unreachable, overloaded or too slow: a 503, never a 500 or a hang
    (connect and statement timeouts bound the wait); the next request tries afresh."""
    current_app.logger.warning("Database unavailable on %s %s: %s", request.method, request.path,
                               type(getattr(error, "orig", None) or error).__name__)
    release_database_session()
    # The page must not ask the database who is signed in, nor for the sections menu: each
    # would wait for it again.
    g._login_user = login_manager.anonymous_user()
    g.database_unavailable = True
    response = make_response(render_template(
        "errors/error.html", code=503, heading=ERROR_PAGES[503][0], reason="", advice=ERROR_PAGES[503][1],
    ), 503)
    response.headers["Retry-After"] = "5"
    response.headers["Cache-Control"] = "no-store"
    return response


def handle_csrf_error(error: CSRFError):
    """A stale or missing CSRF token: htmx requests go through sign-in (which returns to the page
    when the reader is still signed in); forms get the 400 page saying what to do."""
    if is_fragment_request():
        back = urlsplit(request.headers.get("HX-Current-URL", "/"))
        response = make_response("", 400)
        response.headers["HX-Redirect"] = url_for("auth.login", next=back.path + (f"?{back.query}" if back.query else ""))
        return response
    return render_template(
        "errors/error.html", code=400, heading="That form had expired",
        reason="Your session ended or the page was open too long.",
        advice="Go back, reload the page and try again.",
    ), 400


ERROR_PAGES = {
    400: ("That request didn’t make sense", "The link may be broken or out of date."),
    404: ("We couldn’t find that page", "The story may have moved, or the address may be mistyped."),
    405: ("That action isn’t allowed here", ""),
    413: ("That was more than we accept", "The site’s forms are short: please send less."),
    429: ("Too many attempts", "Please wait a little before trying again."),
    503: ("We’ll be right back", "The newsroom’s database isn’t answering. Please try again in a few seconds."),
    500: ("Something went wrong on our side", "We’ve been told about it. Please try again in a moment."),
}


def handle_http_error(error: HTTPException):
    """Error pages in the site's layout. Unhandled exceptions arrive here as InternalServerError
    (Flask logs them first); the session is rolled back so the next request starts clean."""
    code = error.code or 500
    if isinstance(error, SecurityError):
        # An untrusted Host header: no page is built from it, not even a link.
        return "Bad request: unknown host.\n", 400, {"Content-Type": "text/plain; charset=utf-8"}
    if code >= 500:
        release_database_session()
    heading, advice = ERROR_PAGES.get(code, (error.name, ""))
    # A description passed to abort() says what was wrong with this request; werkzeug's
    # stock descriptions are too technical for readers.
    stock = type(error).description
    reason = error.description if error.description and error.description != stock else ""
    return render_template("errors/error.html", code=code, heading=heading, reason=reason,
                           advice=advice), code


# ---- template helpers ------------------------------------------------------

def local_time(value: datetime) -> datetime:
    return value.astimezone(current_app.config["TZINFO"])


def format_datetime(value: datetime) -> str:
    """"25 November 2026, 14:05 UTC" in the site's time zone."""
    local = local_time(value)
    return f"{local.day} {local:%B %Y, %H:%M %Z}"


def relative_time(value: datetime, now: datetime | None = None) -> str:
    """"Just now", "12 min ago", "3 h ago"; a date beyond a day."""
    now = now or datetime.now(UTC)
    seconds = (now - value).total_seconds()
    if seconds < 60:
        return "Just now"
    if seconds < 3600:
        return f"{int(seconds // 60)} min ago"
    if seconds < 86400:
        return f"{int(seconds // 3600)} h ago"
    local = local_time(value)
    if local.year == local_time(now).year:
        return f"{local.day} {local:%b}"
    return f"{local.day} {local:%b %Y}"


def iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="seconds")


def nav_sections():
    """The sections menu; called from base.html only, so fragments skip the query. An error
    page still renders when the database is down."""
    if g.get("database_unavailable"):
        return []
    try:
        return all_sections()
    except SQLAlchemyError:
        try:
            db.session.rollback()
        except SQLAlchemyError:
            db.session().invalidate()
        return []


def init_app(app):
    # Registered after Flask-SQLAlchemy's own teardown, so it runs first.
    app.teardown_appcontext(release_database_session)
    app.request_class = PortalRequest
    app.before_request(refuse_nul_in_path)
    app.register_error_handler(DataError, handle_refused_data)
    app.add_template_global(nav_sections)
    app.after_request(set_security_headers)
    app.register_error_handler(CSRFError, handle_csrf_error)
    for unavailable in (OperationalError, InterfaceError, PoolTimeoutError):
        app.register_error_handler(unavailable, handle_database_unavailable)
    app.register_error_handler(HTTPException, handle_http_error)
    app.add_template_filter(format_datetime, "datetime")
    app.add_template_filter(relative_time, "ago")
    app.add_template_filter(iso, "iso")
    app.add_template_global(absolute_url)
