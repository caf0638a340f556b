"""Where stored pages live, and the WSGI layer in front of Flask that answers from them.

A stored page is answered before Flask makes a request context: no session, no request hooks,
no template. That is what lets a crowd on one story cost little more than a bare Flask route.
What the layer must get right, it shares with the Flask side (portal.web.pagecache): the key
(`page_key`, from the same environ), who may be signed in, and which views are reader pages.
The Flask side decides whether a fresh render may be stored and says so in the environ; this
layer stores the answer exactly as it leaves the app (every header but Date, X-Request-ID).
"""

import json
import time
from dataclasses import dataclass

from blinker import Namespace
from cachetools import TLRUCache
from flask_compress.flask_compress import _choose_algorithm
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.datastructures import EnvironHeaders
from werkzeug.exceptions import HTTPException
from werkzeug.http import parse_cookie, parse_etags
from werkzeug.routing import RequestRedirect
from werkzeug.wsgi import get_host

from ..extensions import compress
from .cache import LocalCache, shared_get, shared_set
from .htmx import wants_fragment
from .metrics import record_answer, record_cache, record_content_version

# What the Flask side leaves in the environ: the version it read, and what to store.
VERSION = "portal.content_version"
VERSION_READER = "portal.content_version_reader"  # app.extensions: what news supplies
VERSION_FAILED = "portal.content_version_failed"
STORE = "portal.page_cache.store"
# Sent after a stored page is answered, with environ=, status= and seconds=; receivers may return
# extra (name, value) headers (the request id).
stored_page_answered = Namespace().signal("stored-page-answered")
_NOT_KEPT = frozenset({"date", "x-request-id", "set-cookie"})
PER_ENTRY_BYTES = 1024  # what an entry costs besides its body


@dataclass
class StoredPage:
    status: str  # the WSGI status line
    headers: list[tuple[str, str]]
    body: bytes
    ttl: int
    endpoint: str

    def to_bytes(self) -> bytes:
        head = json.dumps({"status": self.status, "headers": self.headers, "ttl": self.ttl,
                           "endpoint": self.endpoint})
        return head.encode() + b"\n" + self.body

    @classmethod
    def from_bytes(cls, data: bytes) -> "StoredPage":
        head, _, body = data.partition(b"\n")
        fields = json.loads(head)
        return cls(fields["status"], [tuple(pair) for pair in fields["headers"]], body, fields["ttl"],
                   fields["endpoint"])

    def etag(self) -> str | None:
        return next((value for name, value in self.headers if name.lower() == "etag"), None)


def page_store(max_bytes: int) -> LocalCache:
    """This process's pages: bounded in bytes, each entry for its own TTL (cachetools' TLRUCache)."""
    return LocalCache(items=TLRUCache(maxsize=max_bytes, ttu=lambda _key, page, now: now + page.ttl,
                                      timer=time.monotonic, getsizeof=lambda page: len(page.body) + PER_ENTRY_BYTES))


def may_be_signed_in(cookie_header: str, app) -> bool:
    if not cookie_header:
        return False
    cookies = parse_cookie(cookie_header)
    return any(name in cookies for name in app.extensions["portal.signed_in_cookies"])


def page_key(app, environ, version: int) -> str:
    """Everything a reader page's bytes depend on, besides the content."""
    headers = EnvironHeaders(environ)
    origin = "" if app.config["PUBLIC_URL"] else f"{environ['wsgi.url_scheme']}://{get_host(environ)}"
    encoding = _choose_algorithm(compress.enabled_algorithms, headers.get("Accept-Encoding", "")) or "identity"
    kind = "fragment" if wants_fragment(headers) else "page"
    # The script root too: links are built under it.
    path = environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")
    return f"page:{version}:{kind}:{encoding}:{origin}{path}?{environ.get('QUERY_STRING', '')}"


class StoredPages:
    """WSGI middleware, innermost: answers anonymous GETs of reader pages from the store."""

    def __init__(self, app, wsgi_app):
        self.app = app
        self.wsgi_app = wsgi_app
        self.store = page_store(app.config["PAGE_CACHE_BYTES"])

    def __call__(self, environ, start_response):
        started = time.perf_counter()
        app = self.app
        if (environ["REQUEST_METHOD"] not in ("GET", "HEAD") or not app.config["PAGE_CACHE"]
                or may_be_signed_in(environ.get("HTTP_COOKIE", ""), app)):
            return self.wsgi_app(environ, start_response)
        endpoint = self._reader_page(environ)
        if endpoint is None:
            return self.wsgi_app(environ, start_response)
        with app.app_context():
            try:
                version = app.extensions[VERSION_READER]()
            except SQLAlchemyError as failure:
                # Flask answers with its error page, without waiting on the database a second time.
                environ[VERSION_FAILED] = failure
                return self.wsgi_app(environ, start_response)
            environ[VERSION] = version
            record_content_version(version)
            key = page_key(app, environ, version)
            page = self.store.get(key)
            if page is None and "through=" not in environ.get("QUERY_STRING", ""):
                data, _ = shared_get(key)
                page = StoredPage.from_bytes(data) if data is not None else None
                if page is not None:
                    self.store.set(key, page)
            if page is not None:
                record_cache("hit")
                return self._answer(page, environ, start_response, started)
            record_cache("miss")
        return self._render_and_store(environ, start_response)

    def _reader_page(self, environ) -> str | None:
        """The endpoint, when the path is a reader page's (and the host one Flask would accept)."""
        app = self.app
        trusted = app.config["TRUSTED_HOSTS"]
        try:
            host = get_host(environ, trusted_hosts=trusted)
            endpoint, _ = app.url_map.bind_to_environ(environ, server_name=None).match()
        except (HTTPException, RequestRedirect):
            return None
        view = app.view_functions.get(endpoint)
        return endpoint if host and getattr(view, "reader_page", None) is not None else None

    def _answer(self, page: StoredPage, environ, start_response, started: float):
        status, headers, body = page.status, list(page.headers), page.body
        etag = page.etag()
        match = environ.get("HTTP_IF_NONE_MATCH")
        if match and etag and parse_etags(match).contains_raw(etag):
            status, body = "304 Not Modified", b""
            headers = [(name, value) for name, value in headers
                       if name.lower() not in ("content-length", "content-encoding", "content-type")]
        answered = stored_page_answered.send(self.app, environ=environ, status=int(status[:3]),
                                             seconds=time.perf_counter() - started)
        for _receiver, extra in answered:
            headers.extend(extra or ())
        record_answer(page.endpoint, environ["REQUEST_METHOD"], int(status[:3]))
        start_response(status, headers)
        return [] if environ["REQUEST_METHOD"] == "HEAD" else [body]

    def _render_and_store(self, environ, start_response):
        answer = {}

        def keep_status(status, headers, exc_info=None):
            answer["status"], answer["headers"] = status, headers
            return start_response(status, headers, exc_info)

        body = self.wsgi_app(environ, keep_status)
        order = environ.get(STORE)
        if order is None or environ["REQUEST_METHOD"] != "GET" or not answer.get("status", "").startswith("200"):
            return body
        try:
            chunks = b"".join(body)
        finally:
            if hasattr(body, "close"):
                body.close()
        headers = answer["headers"]
        if any(name.lower() == "set-cookie" for name, _ in headers):
            return [chunks]  # never stored; _storable should have said so already
        page = StoredPage(answer["status"], [(n, v) for n, v in headers if n.lower() not in _NOT_KEPT],
                          chunks, order["ttl"], order["endpoint"])
        self.store.set(order["key"], page)
        if order["shared"]:
            with self.app.app_context():
                shared_set(order["key"], page.to_bytes(), page.ttl)
        return [chunks]
