"""Whole reader pages for anonymous readers, stored rendered and compressed, and compression for
every other response.

A view opts in with `@reader_page()`. Its answer to a request that carries no session or
sign-in cookie is stored under a key made of the content version (read once per request, see
portal.news.version), the fragment-or-page decision, the host when links are built from it,
the encoding and the path with its query. A change to stories bumps the version in the change's
own transaction, so every process's next request looks under a new key: nothing has to be told
to forget anything, and a render begun before the change is stored where no later request looks.

What is stored is what a fresh render sends (status, headers, compressed body), never a cookie:
a response that sets one, flashed something, carries a CSRF token or says private or no-store is
not stored. Anonymous reader pages, hits included, may be kept by shared caches for a few seconds
(`Cache-Control: public`, `Vary: Cookie, HX-Request, Accept-Encoding`).
"""

from dataclasses import dataclass

from flask import current_app, g, request, session

from ..extensions import compress
from .metrics import record_cache, record_content_version
from .pagestore import STORE, VERSION, VERSION_FAILED, VERSION_READER, StoredPages, may_be_signed_in, page_key

# Query arguments a page may carry that are numbers it parses, never text it prints back.
_CURSOR_ARGS = frozenset({"after", "through"})
RESTORED_LIST_TTL = 10


@dataclass(frozen=True)
class PageRule:
    shared: bool  # may be kept in Redis for every machine
    ttl: int  # seconds an entry lives in this process
    same_for_everyone: bool  # shows nothing of the reader's, signed in or not


def reader_page(shared: bool = True, ttl: int = 60, same_for_everyone: bool = False):
    """Mark a view as a reader page whose anonymous answers may be stored and shared. Views with
    a large key space (search) pass `shared=False` and a short `ttl`: they stay in this process.
    A view that never shows reader state (a feed, an image) says `same_for_everyone`: shared
    caches may keep its answers to signed-in readers too."""
    def mark(view):
        view.reader_page = PageRule(shared, ttl, same_for_everyone)
        return view
    return mark


def supply_content_version(app, reader) -> None:
    """`reader()` returns the content version as the request's transaction sees it."""
    app.extensions[VERSION_READER] = reader


def bypass_cookie(app, name: str) -> None:
    """A cookie (besides the session's) whose presence means the reader may be signed in."""
    app.extensions["portal.signed_in_cookies"].add(name)


def content_version() -> int:
    """Read once per request, before anything is looked up or rendered."""
    if "content_version" not in g:
        if VERSION_FAILED in request.environ:
            raise request.environ[VERSION_FAILED]  # the database failed the layer in front just now
        read = request.environ.get(VERSION)  # the layer in front of Flask read it already
        g.content_version = read if read is not None else current_app.extensions[VERSION_READER]()
        record_content_version(g.content_version)
    return g.content_version


def _rule() -> PageRule | None:
    if request.method not in ("GET", "HEAD"):
        return None
    view = current_app.view_functions.get(request.endpoint)
    return getattr(view, "reader_page", None)


def note_reader_page():
    """Before a reader page renders: whether its answer is public, and where to store it. The
    layer in front of Flask (portal.web.pagestore) has already looked for a stored page."""
    rule = _rule()
    if rule is None:
        return
    if may_be_signed_in(request.headers.get("Cookie", ""), current_app):
        g.page_cache = "bypass"
        record_cache("bypass")
        if rule.same_for_everyone:
            g.public_page = rule
        return
    g.public_page = rule
    if not current_app.config["PAGE_CACHE"] or request.method != "GET":
        return
    # ?through= pages re-render a list down to any story: too many keys to share or keep long.
    restored = "through" in request.args
    g.page_cache_order = {
        "key": page_key(current_app, request.environ, content_version()),
        "ttl": min(rule.ttl, RESTORED_LIST_TTL) if restored else rule.ttl,
        "shared": rule.shared and not restored,
        "endpoint": request.endpoint,
    }


def _public(response) -> bool:
    return (
        response.status_code == 200
        and not response.is_streamed
        and "Set-Cookie" not in response.headers
        and not response.cache_control.private
        and not response.cache_control.no_store
    )


def _storable(response) -> bool:
    """Public, and nothing of this request's session in it."""
    return (
        _public(response)
        and not session.modified
        and "_flashes" not in session
        and "csrf_token" not in g
    )


def _exposes_secret_to_compression(response) -> bool:
    """BREACH: a response holding a secret (a CSRF token) whose request could hold text of an
    attacker's choosing is sent uncompressed, so its length says nothing about the secret. Only
    GETs whose query is nothing but the integer cursors are compressed."""
    if "csrf_token" not in g:
        return False
    return request.method != "GET" or not set(request.args) <= _CURSOR_ARGS


def mark_public_page(response):
    """The first response hook (create_app registers it last): an anonymous reader page's answer
    is made public before any other hook asks whether it is (and so sets no cookie on it)."""
    rule = g.get("public_page")
    g.page_cache_storable = rule is not None and _storable(response)
    public = g.page_cache_storable or (rule is not None and rule.same_for_everyone and _public(response))
    if public:
        config = current_app.config
        if "Cache-Control" not in response.headers:
            response.headers["Cache-Control"] = (
                f"public, max-age={config['PAGE_MAX_AGE']}, "
                f"stale-while-revalidate={config['PAGE_STALE_WHILE_REVALIDATE']}")
        for header in ("Cookie", "HX-Request", "Accept-Encoding"):
            response.vary.add(header)
        if not response.get_etag()[0]:
            response.add_etag()
    g.public_answer = public
    return response


def compress_response(response):
    """Last of all response hooks: compress what should be, and say what may be stored."""
    if _exposes_secret_to_compression(response):
        if g.get("public_answer"):
            response.make_conditional(request)
    else:
        # Compresses what it should, marks the ETag with the encoding and answers If-None-Match.
        response = compress.after_request(response)
    order = g.get("page_cache_order")
    if g.get("page_cache_storable") and order is not None and response.status_code == 200:
        request.environ[STORE] = order  # stored by the layer in front, as it leaves the app
    return response


def init_app(app):
    """Called first of the plumbing: the layer that answers stored pages then wraps Flask itself,
    inside the metrics and proxy layers, and compression is the last response hook. create_app
    registers mark_public_page last, so that it runs first."""
    app.config.update(COMPRESS_ALGORITHM=["br", "gzip"], COMPRESS_REGISTER=False, COMPRESS_STREAMS=False)
    compress.init_app(app)
    app.extensions["portal.signed_in_cookies"] = {app.config["SESSION_COOKIE_NAME"]}
    app.wsgi_app = StoredPages(app, app.wsgi_app)
    app.before_request(note_reader_page)
    app.after_request(compress_response)
