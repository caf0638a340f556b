"""The database goes away while readers save bookmarks, then comes back.

A TCP proxy owned by the test stands between the app and PostgreSQL; cutting it drops every
connection and refuses new ones, as a crashed or unreachable server would. The shared
PostgreSQL server itself keeps running.
"""

import itertools
import os
import socket
import threading
import time

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import Bookmark

from .conftest import csrf_token_from, log_in, make_app, private_schema_url

POSTGRES_URL = os.environ.get("PORTAL_TEST_POSTGRES_URL") or os.environ.get("PORTAL_TEST_DATABASE_URL")


class TcpProxy:
    """Forwards 127.0.0.1:<port> to a server; cut() drops and refuses, restore() reopens."""

    def __init__(self, upstream: tuple[str, int]):
        self.upstream = upstream
        self.port = None
        self.sockets: set[socket.socket] = set()
        self.lock = threading.Lock()
        self.listener = None
        self.restore()

    def restore(self):
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port or 0))
        listener.listen(64)
        self.port = listener.getsockname()[1]
        self.listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def cut(self):
        # shutdown() wakes the thread blocked in accept(); close() alone would leave it listening.
        try:
            self.listener.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.listener.close()
        with self.lock:
            for sock in self.sockets:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                sock.close()
            self.sockets.clear()

    def _accept(self, listener):
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # cut
            try:
                server = socket.create_connection(self.upstream, timeout=3)
                server.settimeout(None)
            except OSError:
                client.close()
                continue
            with self.lock:
                self.sockets.update((client, server))
            for source, target in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(source, target), daemon=True).start()

    def _pump(self, source, target):
        try:
            while data := source.recv(65536):
                target.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, target):
                try:
                    sock.close()
                except OSError:
                    pass


@pytest.fixture
def postgres_url():
    if not POSTGRES_URL:
        if os.environ.get("CI") == "true":
            pytest.fail("CI runs the fault test against PostgreSQL: set PORTAL_TEST_POSTGRES_URL")
        pytest.skip("PORTAL_TEST_POSTGRES_URL is not set")
    return POSTGRES_URL


def test_saves_during_an_outage_get_2xx_or_503_and_every_2xx_is_kept(tmp_path, postgres_url, factory_for):
    direct_url = private_schema_url(postgres_url)
    from sqlalchemy import make_url

    url = make_url(direct_url)
    proxy = TcpProxy((url.host or "127.0.0.1", url.port or 5432))
    through_proxy = url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    app = make_app(tmp_path, SQLALCHEMY_DATABASE_URI=through_proxy, DB_CONNECT_TIMEOUT=2,
                   DB_POOL_TIMEOUT=2, DB_STATEMENT_TIMEOUT=3000)
    stories = factory_for(app).stories(120)
    readers = []
    for n in range(4):
        email = f"reader{n}@example.com"
        factory_for(app).user(email)
        client = app.test_client()
        assert log_in(client, email).status_code == 303
        readers.append((n, client, csrf_token_from(client.get("/account"))))

    outcomes = []  # (reader, article id, status, seconds, finished at)
    start = time.monotonic()
    stop_at = start + 9
    # Saving a saved story again is a save too (idempotent): cycling keeps every reader busy.
    ids = itertools.cycle([s.id for s in stories])
    ids_lock = threading.Lock()

    def keep_saving(n, client, token):
        while time.monotonic() < stop_at:
            with ids_lock:
                article_id = next(ids)
            began = time.monotonic()
            response = client.post(f"/bookmarks/{article_id}", data={"action": "save"},
                                   headers={"HX-Request": "true", "X-CSRFToken": token})
            ended = time.monotonic()
            outcomes.append((n, article_id, response.status_code, ended - began, ended - start))
            time.sleep(0.1)

    threads = [threading.Thread(target=keep_saving, args=reader) for reader in readers]
    for t in threads:
        t.start()
    time.sleep(2.5)
    proxy.cut()
    cut_at = time.monotonic() - start
    time.sleep(3)
    proxy.restore()
    restored_at = time.monotonic() - start
    for t in threads:
        t.join()
    proxy.cut()

    statuses = {status for _, _, status, _, _ in outcomes}
    assert statuses <= {200, 503}, statuses
    assert max(seconds for *_, seconds, _ in outcomes) < 5
    during = [o for o in outcomes if cut_at + 0.2 < o[4] < restored_at]
    assert during and {o[2] for o in during} == {503}, ("saves during the outage are refused", cut_at, restored_at, [o for o in during if o[2] == 200])
    assert any(o[2] == 200 for o in outcomes if o[4] < cut_at), "saves worked before the outage"
    after = [o for o in outcomes if o[4] > restored_at + 1.5]
    assert after and all(o[2] == 200 for o in after), "the app recovered by itself"

    saved = {(o[0], o[1]) for o in outcomes if o[2] == 200}
    from sqlalchemy import create_engine

    engine = create_engine(direct_url)
    with engine.connect() as connection:
        user_ids = dict(connection.execute(select(db.metadata.tables["users"].c.email,
                                                  db.metadata.tables["users"].c.id)).all())
        kept = set(connection.execute(select(Bookmark.user_id, Bookmark.article_id)).all())
    engine.dispose()
    expected = {(user_ids[f"reader{n}@example.com"], article_id) for n, article_id in saved}
    assert expected <= kept


def test_a_connection_lost_after_the_view_still_answers(tmp_path, postgres_url):
    """The database drops the request's connection after the view has its answer: the response
    stands (no 500 from closing the session), and the next request gets a fresh connection."""
    from sqlalchemy import create_engine, text

    app = make_app(tmp_path, SQLALCHEMY_DATABASE_URI=private_schema_url(postgres_url))
    admin = create_engine(postgres_url)

    @app.get("/answer-then-lose-connection")
    def answer_then_lose_connection():
        pid = db.session.execute(text("SELECT pg_backend_pid()")).scalar()
        with admin.begin() as connection:
            connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        return "answered"

    client = app.test_client()
    try:
        response = client.get("/answer-then-lose-connection")
        assert response.status_code == 200 and response.get_data(as_text=True) == "answered"
        assert client.get("/readyz").status_code == 200
    finally:
        admin.dispose()
