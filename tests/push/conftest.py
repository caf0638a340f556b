"""A live server (the development server's threads, as `make run` streams) and a reader of its
event streams."""

import contextlib
import http.client
import queue
import socket
import threading
import time

import pytest

from ..browser.conftest import LiveServer
from ..conftest import make_app


@pytest.fixture
def live_app(tmp_path):
    return make_app(tmp_path, TESTING=False)


@pytest.fixture
def server(live_app):
    server = LiveServer(live_app)
    yield server
    server.stop()


class EventStream:
    """One open stream, read as a browser's EventSource reads it: by a thread of its own, whose
    lines wait in a queue for the test."""

    def __init__(self, server, query: str, headers=None):
        host, port = server.url.removeprefix("http://").split(":")
        self.connection = http.client.HTTPConnection(host, int(port), timeout=30)
        self.connection.request("GET", f"/live/stream?{query}", headers={"Accept": "text/event-stream",
                                                                           **(headers or {})})
        self.response = self.connection.getresponse()
        # The connection forgets its socket once a response says it will close it: keep it here.
        self.socket = self.response.fp.raw._sock
        self.raw = b""
        self.lines: queue.Queue = queue.Queue()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        try:
            for line in iter(self.response.readline, b""):  # chunked or not, as the server sends it
                self.lines.put(line)
        except (OSError, ValueError, http.client.HTTPException):  # closed by the test, mid-chunk or not
            pass
        self.lines.put(None)

    def next_message(self, timeout: float) -> dict | None:
        """The next message (a dict of its fields, comments as "comment"), None if none comes in time."""
        fields, deadline = {}, time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            try:
                line = self.lines.get(timeout=left)
            except queue.Empty:
                return None
            if line is None:
                return None
            self.raw += line
            line = line.decode().rstrip("\n")
            if line == "":
                if fields:
                    return fields
                continue
            name, _, value = line.partition(":")
            name = name or "comment"
            value = value.removeprefix(" ")
            fields[name] = fields[name] + "\n" + value if name in fields else value
        return None

    def ends_within(self, timeout: float) -> bool:
        """Whether the server ends the stream within `timeout` seconds (what it sends is skipped)."""
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            try:
                if self.lines.get(timeout=left) is None:
                    return True
            except queue.Empty:
                return False
        return False

    def next_notice(self, timeout: float) -> str | None:
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            message = self.next_message(left)
            if message is None:
                return None
            if message.get("event") == "notice":
                return message.get("data", "")
        return None

    def close(self):
        """Hang up, as a closed tab does (the reading thread is woken by the shutdown)."""
        with contextlib.suppress(OSError):
            self.socket.shutdown(socket.SHUT_RDWR)
        self.reader.join(timeout=5)
        self.response.close()
        self.connection.close()


@pytest.fixture
def open_stream(server):
    opened = []

    def open_one(query: str, **headers) -> EventStream:
        stream = EventStream(server, query, headers)
        opened.append(stream)
        return stream

    yield open_one
    for stream in opened:
        stream.close()
