"""Error pages in the site's layout: 4xx for the request's faults, 503 while the database is away."""

from urllib.parse import urlsplit

from flask import current_app, g, make_response, render_template, request, url_for
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import InterfaceError, OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from werkzeug.exceptions import HTTPException, SecurityError

from ..extensions import db, login_manager
from .htmx import is_fragment_request


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
        "web/error.html", code=503, heading=ERROR_PAGES[503][0], reason="", advice=ERROR_PAGES[503][1],
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
        "web/error.html", code=400, heading="That form had expired",
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
    return render_template("web/error.html", code=code, heading=heading, reason=reason,
                           advice=advice), code


def init_app(app):
    # Registered after Flask-SQLAlchemy's own teardown, so it runs first.
    app.teardown_appcontext(release_database_session)
    app.register_error_handler(CSRFError, handle_csrf_error)
    for unavailable in (OperationalError, InterfaceError, PoolTimeoutError):
        app.register_error_handler(unavailable, handle_database_unavailable)
    app.register_error_handler(HTTPException, handle_http_error)
