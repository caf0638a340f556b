"""gunicorn with the project's configuration serves the portal in production mode."""

import os
import runpy
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from ..helpers import free_port

PROJECT = Path(__file__).resolve().parents[2]
REDIS_WARNING = "PORTAL_REDIS_URL is not set"


@pytest.fixture(scope="module")
def demo_database(tmp_path_factory) -> str:
    """A SQLite database with demo stories, made once for this module's servers (they only read)."""
    uri = f"sqlite:///{tmp_path_factory.mktemp('serving') / 'prod.db'}"
    env = production_env(PORTAL_SQLALCHEMY_DATABASE_URI=uri, PORTAL_PUBLIC_URL="http://127.0.0.1")
    flask = [sys.executable, "-m", "flask", "--app", "wsgi", "portal"]
    subprocess.run([*flask, "init-db"], cwd=PROJECT, env=env, check=True, capture_output=True, timeout=60)
    subprocess.run([*flask, "demo", "--articles", "12"], cwd=PROJECT, env=env, check=True, capture_output=True,
                   timeout=60)
    return uri


def production_env(**settings) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    env.update(PORTAL_ENV="production", PORTAL_SECRET_KEY="s3cret", **settings)
    return env


@contextmanager
def gunicorn(database_uri: str, log: list[str], **settings):
    """gunicorn -c gunicorn.conf.py on a free loopback port: yields its base URL; `log` gets its
    output lines once it has stopped."""
    port = free_port()
    settings = {"PORTAL_PUBLIC_URL": f"http://127.0.0.1:{port}", **settings}
    env = production_env(PORTAL_SQLALCHEMY_DATABASE_URI=database_uri, PORTAL_BIND=f"127.0.0.1:{port}",
                         **{k: v for k, v in settings.items() if v is not None})
    server = subprocess.Popen([str(Path(sys.executable).with_name("gunicorn")), "-c", "gunicorn.conf.py",
                               "wsgi:app"], cwd=PROJECT, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                with urllib.request.urlopen(base + "/healthz", timeout=2) as response:
                    assert response.status == 200
                break
            except OSError:
                time.sleep(0.1)
        yield base
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=30)
        log.extend(output.splitlines())


def test_gunicorn_serves_the_portal_with_one_log_line_per_request(demo_database):
    log = []
    with gunicorn(demo_database, log, PORTAL_WORKERS="2") as base:
        with urllib.request.urlopen(base + "/readyz", timeout=5) as response:
            assert response.status == 200
        request = urllib.request.Request(base + "/", headers={"X-Request-ID": "check-42"})
        with urllib.request.urlopen(request, timeout=5) as response:
            assert response.status == 200
            assert response.headers["X-Request-ID"] == "check-42"
            assert response.headers["Content-Security-Policy"].startswith("default-src 'self'")
            assert b'class="story"' in response.read()
    lines = [line for line in log if "portal.requests" in line]
    assert any(" GET / 200 " in line and line.endswith("ms id=check-42") for line in lines), log
    assert sum("GET /healthz" in line for line in lines) >= 1
    # Two workers and no Redis: each counts rate limits on its own, and the operator is told so.
    assert any(REDIS_WARNING in line and "2 workers" in line for line in log), log


@pytest.mark.parametrize("proxy_count, scheme", [("0", "http"), ("1", "https")])
def test_only_the_proxy_count_decides_whether_x_forwarded_proto_counts(demo_database, proxy_count, scheme):
    """No PORTAL_PUBLIC_URL, so links follow the request's scheme: a reader's forged
    X-Forwarded-Proto changes them only when PORTAL_PROXY_COUNT says a proxy sets it."""
    log = []
    with gunicorn(demo_database, log, PORTAL_PUBLIC_URL=None, PORTAL_TRUSTED_HOSTS='["127.0.0.1"]',
                  PORTAL_PROXY_COUNT=proxy_count, PORTAL_WORKERS="1") as base:
        def page(path):
            request = urllib.request.Request(base + path, headers={"X-Forwarded-Proto": "https"})
            with urllib.request.urlopen(request, timeout=5) as response:
                return BeautifulSoup(response.read(), "html.parser")

        home = page("/")
        story = page(home.select_one(".story-title a")["href"])
    host = base.removeprefix("http://")
    links = [home.select_one('link[rel="canonical"]')["href"], story.select_one('link[rel="canonical"]')["href"],
             story.select_one('meta[property="og:url"]')["content"], story.select_one("a.share-url")["href"]]
    assert all(link.startswith(f"{scheme}://{host}/") for link in links), links
    assert not any(REDIS_WARNING in line for line in log), "one worker: nothing to share"


def test_gunicorn_listens_on_loopback_unless_told_otherwise(monkeypatch, tmp_path):
    """A slow client holds one of a worker's page threads: only a reverse proxy that buffers
    requests may reach gunicorn, so the default address is not reachable from elsewhere."""
    monkeypatch.delenv("PORTAL_BIND", raising=False)
    # Set for this test only: reading the file would otherwise choose a metrics folder for the
    # whole test process (and put prometheus_client's next importer in multiprocess mode).
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path / "metrics"))
    assert runpy.run_path(str(PROJECT / "gunicorn.conf.py"))["bind"] == "127.0.0.1:8000"
    monkeypatch.setenv("PORTAL_BIND", "10.0.0.11:8000")
    assert runpy.run_path(str(PROJECT / "gunicorn.conf.py"))["bind"] == "10.0.0.11:8000"
