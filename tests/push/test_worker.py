"""The streaming worker under gunicorn (`make serve`'s server, in a process of its own: gevent is
never tried inside the test process): thousands of idle streams cost pages nothing, a story
imported by `portal import-feed` reaches them, and a shutdown ends them at once."""

import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from types import SimpleNamespace

from ..ops.test_serving import PROJECT, demo_database, gunicorn, production_env  # noqa: F401 (a fixture)
from .conftest import EventStream

FEED = Path(__file__).resolve().parents[1] / "fixtures" / "feeds" / "ledger_review_rss.xml"


def idle_streams(base: str, count: int) -> list[socket.socket]:
    host, port = base.removeprefix("http://").split(":")
    opened = []
    for _ in range(count):
        connection = socket.create_connection((host, int(port)))
        connection.sendall(b"GET /live/stream?newest=1 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        opened.append(connection)
    return opened


def test_a_worker_holds_many_streams_and_pushes_an_import_to_them(demo_database):  # noqa: F811
    log = []
    with gunicorn(demo_database, log, PORTAL_WORKERS="1", PORTAL_STREAMS_PER_ADDRESS="2000") as base:
        held = idle_streams(base, 500)
        try:
            reader = EventStream(SimpleNamespace(url=base), "newest=12")
            assert reader.response.status == 200
            assert reader.next_message(5)["event"] == "ready"
            started = time.monotonic()
            with urllib.request.urlopen(base + "/", timeout=5) as page:  # pages answer meanwhile
                assert page.status == 200
            assert time.monotonic() - started < 2
            env = production_env(PORTAL_SQLALCHEMY_DATABASE_URI=demo_database, PORTAL_PUBLIC_URL="http://127.0.0.1")
            imported = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "portal", "import-feed", str(FEED)],
                                      cwd=PROJECT, env=env, capture_output=True, text=True, timeout=60, check=False)
            assert imported.returncode == 0, imported.stderr
            published = time.monotonic()
            notice = reader.next_notice(5)
            assert notice is not None and "new stories" in notice
            assert time.monotonic() - published < 3  # within the notifier's second, and then some
            reader.close()
        finally:
            for connection in held:
                connection.close()


def test_a_shutdown_ends_open_streams_at_once(demo_database):  # noqa: F811
    log = []
    with gunicorn(demo_database, log, PORTAL_WORKERS="1") as base:
        reader = EventStream(SimpleNamespace(url=base), "newest=12")
        assert reader.next_message(5)["event"] == "ready"
        started = time.monotonic()
        # Leaving the block terminates gunicorn (SIGTERM) and waits for it to exit.
    assert time.monotonic() - started < 10  # not graceful_timeout's 30 s
    assert reader.ends_within(1)
    reader.close()
