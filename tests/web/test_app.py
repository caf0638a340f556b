import os
import subprocess
import sys
from itertools import pairwise
from pathlib import Path

import pytest
from sqlalchemy import func, select

from portal.config import _development_secret
from portal.extensions import db
from portal.models import Section

from ..conftest import make_app
from ..helpers import soup

PROJECT = Path(__file__).resolve().parents[2]


def run_python(code, **env):
    environment = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    environment.update(env)
    return subprocess.run([sys.executable, "-c", code], check=False, cwd=PROJECT, env=environment,
                          capture_output=True, text=True, timeout=60)


def test_production_start_up_refuses_a_missing_secret_key():
    result = run_python("import wsgi", PORTAL_ENV="production")
    assert result.returncode != 0
    assert result.stderr.strip() == "PORTAL_SECRET_KEY must be set when PORTAL_ENV=production"


def test_production_start_up_with_a_secret_key(tmp_path):
    result = run_python(
        "import wsgi; print(wsgi.app.config['DEBUG'], wsgi.app.config['HTMX_CDN'])",
        PORTAL_ENV="production", PORTAL_SECRET_KEY="s3cret", PORTAL_PUBLIC_URL="https://news.example.com",
        PORTAL_SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'prod.db'}",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "False"]  # no debugging; htmx from the vendored copy


def test_production_start_up_refuses_to_trust_any_host_header(tmp_path):
    result = run_python("import wsgi", PORTAL_ENV="production", PORTAL_SECRET_KEY="s3cret",
                        PORTAL_SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'prod.db'}")
    assert result.returncode != 0
    assert result.stderr.strip() == "Set PORTAL_PUBLIC_URL (or PORTAL_TRUSTED_HOSTS) when PORTAL_ENV=production"


def test_trusted_hosts_refuse_a_forged_host(tmp_path):
    app = make_app(tmp_path, TRUSTED_HOSTS=["news.example.com"])
    client = app.test_client()
    assert client.get("/", base_url="http://news.example.com").status_code == 200
    assert client.get("/", base_url="http://evil.example").status_code == 400


def test_environment_overrides_defaults(tmp_path):
    result = run_python(
        "import wsgi; c = wsgi.app.config; print(c['PUBLIC_URL'], c['FEED_PAGE_SIZE'], c['TIMEZONE'], "
        "repr(c['SECRET_KEY']))",
        PORTAL_PUBLIC_URL="https://news.example.com/", PORTAL_FEED_PAGE_SIZE="12",
        PORTAL_TIMEZONE="Europe/London", PORTAL_SECRET_KEY="1234567890",
        PORTAL_SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'env.db'}",
    )
    assert result.returncode == 0, result.stderr
    # JSON-decoded where possible, but a secret of digits stays a string.
    assert result.stdout.split() == ["https://news.example.com", "12", "Europe/London", "'1234567890'"]


def test_unknown_time_zone_stops_start_up_with_a_message(tmp_path):
    result = run_python("import wsgi", PORTAL_TIMEZONE="Mars/Olympus", PORTAL_SECRET_KEY="x",
                        PORTAL_SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'tz.db'}")
    assert result.returncode != 0
    assert result.stderr.strip() == "PORTAL_TIMEZONE='Mars/Olympus' is not a known time zone"


def test_development_secret_is_generated_once_and_kept(tmp_path):
    first = _development_secret(tmp_path)
    assert len(first) == 64
    assert _development_secret(tmp_path) == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600


@pytest.mark.parametrize("path", ["/", "/articles/1/x", "/no-such-page", "/?after=bad", "/static/css/site.css"])
def test_every_response_carries_security_headers(client, factory, path):
    factory.story()
    with client.get(path) as response:
        pass
    csp = response.headers["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "Strict-Transport-Security" not in response.headers


def test_hsts_only_over_tls(client):
    response = client.get("/", base_url="https://localhost")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_pages_have_no_inline_script_or_style(client, factory):
    story = factory.story()
    for path in ("/", f"/articles/{story.id}/{story.slug}", "/nope"):
        page = soup(client.get(path))
        for script in page.select("script"):
            assert script.get("src") or script.get("type") == "application/ld+json", script
        assert not page.select("style") and not page.select("[style]")
        assert not [tag for tag in page.find_all(True) if any(a.startswith("on") for a in tag.attrs)]


def test_htmx_configuration_keeps_eval_and_history_snapshots_off(client):
    import json

    config = json.loads(soup(client.get("/")).select_one('meta[name="htmx-config"]')["content"])
    assert config["allowEval"] is False
    assert config["allowScriptTags"] is False
    assert config["includeIndicatorStyles"] is False
    assert config["historyRestoreAsHxRequest"] is False


def test_404_page_is_in_the_site_layout(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    page = soup(response)
    assert page.select_one("header.masthead") and page.select_one("main h1")
    assert page.title.get_text().startswith("We couldn’t find that page (404)")


def test_wrong_method_gets_405_page(client):
    response = client.post("/")
    assert response.status_code == 405
    assert soup(response).select_one("main h1").get_text() == "That action isn’t allowed here"


def test_500_rolls_back_the_session_and_shows_no_traceback(tmp_path):
    app = make_app(tmp_path, TESTING=False, ENV="production", PROPAGATE_EXCEPTIONS=False,
                   PUBLIC_URL="https://news.example.com")

    @app.get("/explode")
    def explode():
        db.session.add(Section(name="Half-written", slug="half-written"))
        db.session.flush()
        raise RuntimeError("secret internals")

    client = app.test_client()
    response = client.get("/explode")
    assert response.status_code == 500
    text = response.get_data(as_text=True)
    assert "Something went wrong on our side" in text
    assert "Traceback" not in text and "secret internals" not in text
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Section)) == 0
    assert client.get("/").status_code == 200


def test_pages_have_landmarks_and_an_unbroken_heading_outline(client, factory):
    story = factory.story()
    factory.stories(3, section=story.section)
    for path in ("/", f"/articles/{story.id}/{story.slug}", "/sections/business-tech", "/missing"):
        page = soup(client.get(path))
        assert page.html["lang"] == "en"
        assert page.select_one("header.masthead") and page.select_one("main#main")
        assert page.select_one('nav[aria-label="Sections"]') and page.select_one("footer")
        assert page.select_one("a.skip-link")["href"] == "#main"
        levels = [int(h.name[1]) for h in page.select("h1, h2, h3, h4, h5, h6")]
        assert levels[0] == 1 and levels.count(1) == 1, path
        assert all(later - earlier <= 1 for earlier, later in pairwise(levels)), (path, levels)
        for link in page.select("a[href]"):
            assert link.get_text(strip=True), (path, link)


# ---- the request log keeps secrets out ----------------------------------------------------

@pytest.fixture
def request_lines(caplog):
    """The messages of the request log while the test runs."""
    import logging

    log = logging.getLogger("portal.requests")
    log.addHandler(caplog.handler)
    caplog.set_level(logging.INFO, logger="portal.requests")
    yield lambda: [r.getMessage() for r in caplog.records if r.name == "portal.requests"]
    log.removeHandler(caplog.handler)


def test_request_log_hides_reset_and_private_feed_tokens(app, client, user, request_lines):
    from portal.accounts.password_reset import reset_token
    from portal.models import User

    from ..conftest import csrf_token_from

    with app.app_context():
        reader = db.session.get(User, user.id)
        token, feed_token = reset_token(reader), reader.feed_token
    form = client.get(f"/reset-password/{token}")
    assert form.status_code == 200
    client.post(f"/reset-password/{token}", data={"csrf_token": csrf_token_from(form), "password": "x",
                                                  "confirm": "x"})
    client.get(f"/reset-password/{token}?page=2")
    assert client.get(f"/bookmarks/feed/{feed_token}.atom").status_code == 200
    client.get(f"/bookmarks/feed/{'x' * 20}.atom")  # a wrong token is still a secret's shape
    lines = request_lines()
    assert len(lines) == 5
    assert not [line for line in lines if token in line or feed_token in line or "x" * 20 in line]
    assert [line.split(" ")[:3] for line in lines] == [
        ["GET", "/reset-password/<token>", "200"],
        ["POST", "/reset-password/<token>", "400"],
        ["GET", "/reset-password/<token>?page=2", "200"],
        ["GET", "/bookmarks/feed/<token>.atom", "200"],
        ["GET", "/bookmarks/feed/<token>.atom", "404"],
    ]


def test_request_log_hides_tokens_in_paths_that_match_no_route(client, request_lines):
    token = "eyJpZCI6MTIsInYiOjF9.Zx3kQ_Lm9aB2cD-eF4gH"
    assert client.get(f"/reset-password/{token}/extra").status_code == 404
    assert client.get("/articles/7/a-long-story-slug-about-chips-2026/nope").status_code == 404
    [mangled, slug] = [line.split(" ")[1] for line in request_lines()]
    assert token not in mangled and mangled == "/reset-password/[redacted]/extra"
    assert slug == "/articles/7/a-long-story-slug-about-chips-2026/nope"  # slugs stay readable


def test_request_log_hides_tokens_in_query_values(client, request_lines):
    token = "eyJpZCI6MTIsInYiOjF9.Zx3kQ_Lm9aB2cD-eF4gH"
    client.get(f"/login?next=%2Freset-password%2F{token}&save=12")
    [line] = [line.split(" ")[1] for line in request_lines()]
    assert token not in line and line == "/login?next=[redacted]&save=12"


def test_request_log_hides_secret_query_values(client, factory, request_lines):
    story = factory.story()
    client.get("/?token=abc123&after=zzz&api_key=k-999&Password=hunter2&session_id=s-1&q=kept")
    client.get(f"/articles/{story.id}/qr.svg?size=300")
    [secret_query, image] = [line.split(" ")[1] for line in request_lines()]
    assert secret_query == ("/?token=[redacted]&after=zzz&api_key=[redacted]&Password=[redacted]"
                            "&session_id=[redacted]&q=kept")
    assert image == f"/articles/{story.id}/qr.svg?size=300"


# ---- a Redis that never answers ---------------------------------------------------------------

def test_a_black_holed_redis_holds_a_sign_in_up_for_moments_not_seconds(tmp_path):
    import socket
    import time

    from ..conftest import csrf_token_from

    # Connections are accepted (the kernel completes them) and never answered.
    with socket.create_server(("127.0.0.1", 0), backlog=16) as black_hole:
        app = make_app(tmp_path, REDIS_URL=f"redis://127.0.0.1:{black_hole.getsockname()[1]}/0")
        client = app.test_client()
        token = csrf_token_from(client.get("/login"))
        waits = []
        for _ in range(2):
            started = time.monotonic()
            response = client.post("/login", data={"email": "nobody@example.com", "password": "wrong",
                                                   "csrf_token": token})
            waits.append(time.monotonic() - started)
            assert response.status_code == 400  # a failed sign-in, counted in process meanwhile
    assert max(waits) < 1.5, waits  # the limiter's Redis wait is bounded at 0.5 s
    assert app.config["RATELIMIT_STORAGE_OPTIONS"] == {"socket_timeout": 0.5, "socket_connect_timeout": 0.5}
