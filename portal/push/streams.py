"""/live/stream: the "N new stories" notice of one open list, pushed (server-sent events).

Answered in front of Flask, like /metrics: a stream never opens the session, loads the reader,
sets a cookie or holds an app or request context while it waits, and every reader of the same
page gets the same bytes. The URL names the list (`section=<slug>`, none for the front page) and
the page's top story (`newest=<id>`, none for an empty list). On connect the current notice is
sent at once (nothing when nothing is new), then an event whenever it changes, and a comment
every STREAM_HEARTBEAT seconds (15); `retry` spreads reconnections over a few seconds (jitter), so a
restarted server is not met by every reader at once.
"""

import random
import threading
from urllib.parse import parse_qs

from .notifier import Notifier
from .waiting import CLOSED

PATH = "/live/stream"
FIRST_SNAPSHOT_WAIT = 10.0  # seconds a first stream waits for the notifier's first look
RETRY_MS = (1000, 5000)  # a reconnecting browser waits this long (milliseconds), at random
HEADERS = [
    ("Content-Type", "text/event-stream; charset=utf-8"),
    # Never stored, compressed or buffered on the way (nginx reads X-Accel-Buffering).
    ("Cache-Control", "no-cache"),
    ("X-Accel-Buffering", "no"),
    ("X-Content-Type-Options", "nosniff"),
]


def event(data: str) -> bytes:
    lines = data.splitlines() or [""]
    return ("event: notice\n" + "".join(f"data: {line}\n" for line in lines) + "\n").encode()


class Streams:
    """The WSGI layer that answers PATH and passes everything else on."""

    def __init__(self, app, wsgi_app):
        self.app = app
        self.wsgi_app = wsgi_app
        self._lock = threading.Lock()
        self._notifier: Notifier | None = None
        self._per_address: dict[str, int] = {}
        self.open = 0
        self._metrics = app.extensions["portal_metrics"]

    def __call__(self, environ, start_response):
        if environ.get("PATH_INFO") != PATH:
            return self.wsgi_app(environ, start_response)
        if environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
            return _plain(start_response, "405 Method Not Allowed", "Streams are read with GET.\n",
                          [("Allow", "GET, HEAD")])
        query = parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True)
        list_key = (query.get("section") or [""])[0]
        newest = (query.get("newest") or [""])[0]
        if newest and not (newest.isascii() and newest.isdigit() and len(newest) < 19):
            return _plain(start_response, "400 Bad Request", "newest must be a story number.\n")
        snapshot = self.notifier().broadcast.wait(None, FIRST_SNAPSHOT_WAIT)
        if snapshot is None or snapshot is CLOSED:
            return _plain(start_response, "503 Service Unavailable", "The news is not readable just now.\n",
                          [("Retry-After", "5")])
        if not snapshot.knows(list_key):
            return _plain(start_response, "404 Not Found", "There is no such section.\n")
        address = environ.get("REMOTE_ADDR", "")
        if not self._admit(address):
            return _plain(start_response, "429 Too Many Requests",
                          "Too many open streams from your address: close a tab or two.\n", [("Retry-After", "30")])
        start_response("200 OK", list(HEADERS))
        if environ["REQUEST_METHOD"] == "HEAD":
            self._leave(address)
            return []
        return self._events(snapshot, list_key, int(newest) if newest else None, address)

    def notifier(self) -> Notifier:
        with self._lock:
            if self._notifier is None:
                self._notifier = Notifier(self.app)
                self._notifier.start()
            return self._notifier

    def end_all(self, wait: bool = False) -> None:
        """Every open stream ends now (the process is shutting down); with `wait`, the notifier's
        thread has stopped on return."""
        with self._lock:
            notifier = self._notifier
        if notifier is not None:
            notifier.stop(wait)

    def _admit(self, address: str) -> bool:
        with self._lock:
            held = self._per_address.get(address, 0)
            if held >= self.app.config["STREAMS_PER_ADDRESS"]:
                return False
            self._per_address[address] = held + 1
            self.open += 1
        self._metrics.open_streams.inc()
        return True

    def _leave(self, address: str) -> None:
        with self._lock:
            held = self._per_address.pop(address, 1) - 1
            if held:
                self._per_address[address] = held
            self.open -= 1
        self._metrics.open_streams.dec()

    def _events(self, snapshot, list_key: str, top_id: int | None, address: str):
        broadcast = self.notifier().broadcast
        try:
            # "ready" lets the page know the stream gets through (a buffering proxy would hold it).
            yield f"retry: {random.randint(*RETRY_MS)}\nevent: ready\ndata:\n\n".encode()
            sent = snapshot.notice(self.app, list_key, top_id)
            if sent:
                yield event(sent)
            while True:
                newer = broadcast.wait(snapshot.version, self.app.config["STREAM_HEARTBEAT"])
                if newer is CLOSED:
                    return
                if newer is None:
                    yield b": still here\n\n"
                    continue
                snapshot = newer
                if not snapshot.knows(list_key):
                    return  # the section is gone
                notice = snapshot.notice(self.app, list_key, top_id)
                if notice != sent:
                    sent = notice
                    yield event(notice)
        finally:
            self._leave(address)


def _plain(start_response, status: str, text: str, headers=()):
    start_response(status, [("Content-Type", "text/plain; charset=utf-8"), ("Cache-Control", "no-store"),
                            *headers])
    return [text.encode()]
