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

import json
import logging
import threading
import time
from dataclasses import dataclass

import redis
from cachetools import TLRUCache
from flask import current_app, g, request, session
from flask_compress.flask_compress import _choose_algorithm

from ..extensions import compress
from .cache import shared_cache
from .htmx import is_fragment_request
from .metrics import record_cache, record_content_version

log = logging.getLogger(__name__)

_VERSION_READER = "portal.content_version_reader"
_BYPASS_COOKIES = "portal.page_cache_bypass_cookies"
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
    app.extensions[_VERSION_READER] = reader


def bypass_cookie(app, name: str) -> None:
    """A cookie (besides the session's) whose presence means the reader may be signed in."""
    app.extensions.setdefault(_BYPASS_COOKIES, set()).add(name)


def content_version() -> int:
    """Read once per request, before anything is looked up or rendered."""
    if "content_version" not in g:
        g.content_version = current_app.extensions[_VERSION_READER]()
        record_content_version(g.content_version)
    return g.content_version


@dataclass
class StoredPage:
    status: int
    headers: list[tuple[str, str]]
    body: bytes
    ttl: int

    def to_bytes(self) -> bytes:
        head = json.dumps({"status": self.status, "headers": self.headers, "ttl": self.ttl})
        return head.encode() + b"\n" + self.body

    @classmethod
    def from_bytes(cls, data: bytes) -> "StoredPage":
        head, _, body = data.partition(b"\n")
        fields = json.loads(head)
        return cls(fields["status"], [tuple(pair) for pair in fields["headers"]], body, fields["ttl"])

    def response(self):
        response = current_app.response_class(self.body, status=self.status, headers=self.headers)
        environ = request.environ
        if "HTTP_IF_NONE_MATCH" in environ or "HTTP_IF_MODIFIED_SINCE" in environ:
            response.make_conditional(request)
        return response


class PageStore:
    """This process's pages: bounded in bytes, each entry for its own TTL (cachetools' TLRUCache,
    behind a lock since a gthread worker serves several requests at once)."""

    def __init__(self, max_bytes: int):
        self.items = TLRUCache(maxsize=max_bytes, ttu=lambda _key, page, now: now + page.ttl,
                               timer=time.monotonic, getsizeof=lambda page: len(page.body) + 1024)
        self.lock = threading.Lock()

    def get(self, key: str) -> StoredPage | None:
        with self.lock:
            return self.items.get(key)

    def set(self, key: str, page: StoredPage) -> None:
        if len(page.body) + 1024 > self.items.maxsize:
            return
        with self.lock:
            self.items[key] = page

    def clear(self) -> None:
        with self.lock:
            self.items.clear()


def _rule() -> PageRule | None:
    if request.method not in ("GET", "HEAD"):
        return None
    view = current_app.view_functions.get(request.endpoint)
    return getattr(view, "reader_page", None)


def _may_be_signed_in() -> bool:
    cookies = request.cookies
    names = {current_app.config["SESSION_COOKIE_NAME"], *current_app.extensions.get(_BYPASS_COOKIES, ())}
    return any(name in cookies for name in names)


def _encoding() -> str:
    """The encoding the compressor will choose for this request (its own negotiation)."""
    return _choose_algorithm(compress.enabled_algorithms, request.headers.get("Accept-Encoding", "")) or "identity"


def _key() -> str:
    origin = "" if current_app.config["PUBLIC_URL"] else f"{request.scheme}://{request.host}"
    query = request.query_string.decode("latin-1")
    kind = "fragment" if is_fragment_request() else "page"
    return f"page:{content_version()}:{kind}:{_encoding()}:{origin}{request.path}?{query}"


def serve_stored_page():
    rule = _rule()
    if rule is None:
        return None
    if _may_be_signed_in():
        g.page_cache = "bypass"
        record_cache("bypass")
        if rule.same_for_everyone:
            g.public_page = rule
        return None
    g.public_page = rule
    if not current_app.config["PAGE_CACHE"]:
        return None
    # ?through= pages re-render a list down to any story: too many keys to share or keep long.
    restored = "through" in request.args
    shared = rule.shared and not restored
    key = _key()
    page = _store().get(key)
    if page is None and shared:
        page = _shared_get(key)
        if page is not None:
            _store().set(key, page)
    if page is None:
        g.page_cache = "miss"
        record_cache("miss")
        g.page_cache_key = key
        g.page_cache_shared = shared
        g.page_cache_ttl = min(rule.ttl, RESTORED_LIST_TTL) if restored else rule.ttl
        return None
    g.page_cache = "hit"
    record_cache("hit")
    return page.response()


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


def finish_response(response):
    if g.get("page_cache") == "hit":
        return response
    rule = g.get("public_page")
    storable = rule is not None and _storable(response)
    public = storable or (rule is not None and rule.same_for_everyone and _public(response))
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
    if _exposes_secret_to_compression(response):
        if public:
            response.make_conditional(request)
    else:
        # Compresses what it should, marks the ETag with the encoding and answers If-None-Match.
        response = compress.after_request(response)
    key = g.get("page_cache_key")
    if storable and key and response.status_code == 200:
        # A hit gets a Date of its own (make_conditional adds it).
        headers = [(name, value) for name, value in response.headers.items() if name != "Date"]
        page = StoredPage(response.status_code, headers, response.get_data(), g.page_cache_ttl)
        _store().set(key, page)
        if g.page_cache_shared:
            _shared_set(key, page)
    return response


def _store() -> PageStore:
    return current_app.extensions["portal.page_store"]


def _shared_get(key: str) -> StoredPage | None:
    shared = shared_cache()
    if shared is None:
        return None
    try:
        data = shared.get(current_app.config["CACHE_KEY_PREFIX"] + key)
    except redis.RedisError:
        log.warning("Redis page cache unavailable; rendering locally", exc_info=True)
        return None
    return StoredPage.from_bytes(data) if data is not None else None


def _shared_set(key: str, page: StoredPage) -> None:
    shared = shared_cache()
    if shared is None:
        return
    try:
        shared.set(current_app.config["CACHE_KEY_PREFIX"] + key, page.to_bytes(), ex=page.ttl)
    except redis.RedisError:
        log.warning("Redis page cache unavailable; not shared", exc_info=True)


def init_app(app):
    app.config.update(COMPRESS_ALGORITHM=["br", "gzip"], COMPRESS_REGISTER=False, COMPRESS_STREAMS=False)
    compress.init_app(app)
    app.extensions["portal.page_store"] = PageStore(app.config["PAGE_CACHE_BYTES"])
    app.before_request(serve_stored_page)
    app.after_request(finish_response)
