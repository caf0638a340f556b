import logging
import time

import pytest

from portal import create_app

from ..conftest import _apps, make_app
from ..helpers import soup


def unreachable_app(uri):
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": uri,
                      "DB_CONNECT_TIMEOUT": 2})
    _apps.append(app)
    return app


UNREACHABLE = [
    "postgresql+psycopg://postgres@127.0.0.1:1/test",  # nothing listens on port 1
    "sqlite:////nonexistent-directory/portal.db",
]


def test_healthz_answers_without_asking_anything(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok"}
    assert response.headers["Cache-Control"] == "no-store"


def test_readyz_when_the_database_answers(client):
    response = client.get("/readyz")
    assert response.status_code == 200 and response.json == {"status": "ready"}


@pytest.mark.parametrize("uri", UNREACHABLE)
def test_readyz_and_healthz_when_the_database_is_gone(uri):
    client = unreachable_app(uri).test_client()
    assert client.get("/healthz").status_code == 200
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json == {"status": "database unavailable"}


@pytest.mark.parametrize("uri", UNREACHABLE)
@pytest.mark.parametrize("path", ["/", "/articles/1/x", "/sections/ai", "/authors/ada", "/s/1", "/articles/1/qr.svg"])
def test_pages_answer_503_quickly_when_the_database_is_gone(uri, path):
    client = unreachable_app(uri).test_client()
    started = time.monotonic()
    response = client.get(path)
    assert time.monotonic() - started < 5
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    if response.content_type.startswith("text/html"):
        page = soup(response)
        assert page.select_one("h1").get_text() == "We’ll be right back"
        assert page.select_one("header.masthead")


def test_every_response_carries_a_request_id_and_is_logged_once(client, caplog):
    log = logging.getLogger("portal.requests")
    log.addHandler(caplog.handler)
    try:
        with caplog.at_level(logging.INFO, logger="portal.requests"):
            first = client.get("/?after=oops")
            second = client.get("/healthz", headers={"X-Request-ID": "lb-1234"})
            forged = client.get("/healthz", headers={"X-Request-ID": "bad id; with spaces"})
    finally:
        log.removeHandler(caplog.handler)
    assert len(first.headers["X-Request-ID"]) == 32
    assert second.headers["X-Request-ID"] == "lb-1234"
    assert forged.headers["X-Request-ID"] not in ("bad id; with spaces", "")
    lines = [r.getMessage() for r in caplog.records if r.name == "portal.requests"]
    assert len(lines) == 3
    method, path, status, duration, request_id = lines[0].split(" ")
    assert (method, path, status) == ("GET", "/?after=oops", "400")
    assert duration.endswith("ms") and float(duration[:-2]) >= 0
    assert request_id == f"id={first.headers['X-Request-ID']}"
    assert lines[1].endswith("id=lb-1234")


def test_stored_pages_carry_a_request_id_and_are_logged_too(client, factory, caplog):
    factory.story()
    log = logging.getLogger("portal.requests")
    log.addHandler(caplog.handler)
    try:
        with caplog.at_level(logging.INFO, logger="portal.requests"):
            client.get("/?after=1&token=s3cr3t")
            stored = client.get("/?after=1&token=s3cr3t", headers={"X-Request-ID": "lb-5678"})
    finally:
        log.removeHandler(caplog.handler)
    assert stored.headers["X-Request-ID"] == "lb-5678"
    lines = [r.getMessage() for r in caplog.records if r.name == "portal.requests"]
    assert len(lines) == 2
    assert lines[1].startswith("GET /?after=1&token=[redacted] 200 ") and lines[1].endswith("id=lb-5678")


@pytest.mark.parametrize("proxies, expected", [(0, "127.0.0.1"), (1, "203.0.113.7")])
def test_forwarded_addresses_are_trusted_only_from_configured_proxies(tmp_path, proxies, expected):
    app = make_app(tmp_path, PROXY_COUNT=proxies)

    @app.get("/whoami")
    def whoami():
        from flask import request

        return request.remote_addr

    response = app.test_client().get("/whoami", headers={"X-Forwarded-For": "198.51.100.1, 203.0.113.7"})
    assert response.get_data(as_text=True) == expected


def test_rate_limits_see_the_readers_address_behind_a_proxy(tmp_path, make_user):
    from ..conftest import log_in

    app = make_app(tmp_path, PROXY_COUNT=1, LOGIN_LIMIT_PER_ADDRESS="2 per 15 minutes")
    for _ in range(2):
        client = app.test_client()
        client.environ_base["HTTP_X_FORWARDED_FOR"] = "203.0.113.7"
        assert log_in(client, "nobody@example.com", password="wrong guess").status_code == 400
    blocked = app.test_client()
    blocked.environ_base["HTTP_X_FORWARDED_FOR"] = "203.0.113.7"
    assert log_in(blocked, "nobody@example.com", password="wrong guess").status_code == 429
    other_reader = app.test_client()
    other_reader.environ_base["HTTP_X_FORWARDED_FOR"] = "198.51.100.9"
    assert log_in(other_reader, "someone@example.com", password="wrong guess").status_code == 400
