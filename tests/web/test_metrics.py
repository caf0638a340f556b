"""/metrics: what an operator's Prometheus reads, and who may read it."""

import time
import urllib.request

import pytest
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.parser import text_string_to_metric_families

from portal.web.metrics import fold_exited_workers, record_cache, record_content_version

from ..conftest import log_in, make_app
from ..helpers import soup
from ..ops.test_serving import gunicorn

ELSEWHERE = {"REMOTE_ADDR": "203.0.113.9"}


def read(text: str) -> dict:
    """Every sample of a scrape: (name, labels) -> value."""
    return {(sample.name, frozenset(sample.labels.items())): sample.value
            for family in text_string_to_metric_families(text) for sample in family.samples}


def scrape(client, **kwargs) -> dict:
    response = client.get("/metrics", **kwargs)
    assert response.status_code == 200
    return read(response.get_data(as_text=True))


def value(samples: dict, name: str, **labels) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def requests(samples, endpoint, method="GET", status="200"):
    return value(samples, "portal_http_requests_total", endpoint=endpoint, method=method, status=status)


def test_requests_are_counted_by_endpoint_method_and_status(client):
    for path in ("/", "/", "/healthz", "/no-such-page"):
        client.get(path)
    client.open("/", method="BREW")
    client.post("/login", data={"email": "a@example.com", "password": "x"})  # no CSRF token: refused

    samples = scrape(client)
    assert requests(samples, "feed.index") == 2
    assert requests(samples, "ops.healthz") == 1
    # Labels stay few whatever is asked for: unknown paths and methods share one value each.
    assert requests(samples, "unmatched", status="404") == 1
    assert requests(samples, "unmatched", method="other", status="405") == 1
    # Refused before the view by a before_request function, and counted all the same.
    assert requests(samples, "auth.login", method="POST", status="400") == 1
    latency = value(samples, "portal_http_request_duration_seconds_count", endpoint="feed.index", method="GET",
                    status="200")
    assert latency == 2
    assert value(samples, "portal_http_request_duration_seconds_sum", endpoint="feed.index", method="GET",
                 status="200") > 0
    # Scrapes are not readers' requests.
    assert requests(scrape(client), "unmatched", status="404") == 1
    assert not any(dict(labels).get("endpoint") == "metrics" for _name, labels in samples)


def test_statements_of_a_page_are_counted_and_none_outside_requests(app, client, factory, count_statements):
    factory.stories(3)  # statements in app contexts, not requests
    assert not any(name == "portal_db_statements_total" for name, _ in scrape(client))

    with count_statements:
        client.get("/")
        client.get("/")
    samples = scrape(client)
    assert count_statements.count > 0
    assert value(samples, "portal_db_statements_total", endpoint="feed.index") == count_statements.count


def test_the_page_cache_and_content_version_are_reported(app, client):
    samples = scrape(client)
    assert [value(samples, "portal_page_cache_requests_total", outcome=o) for o in ("hit", "miss", "bypass")] \
        == [0, 0, 0]
    with app.app_context():
        record_cache("hit")
        record_cache("hit")
        record_cache("miss")
        record_cache("bypass")
        record_content_version(41)
        record_content_version(42)
        with pytest.raises(KeyError):
            record_cache("maybe")  # outcomes are a fixed set
    samples = scrape(client)
    assert [value(samples, "portal_page_cache_requests_total", outcome=o) for o in ("hit", "miss", "bypass")] \
        == [2, 1, 1]
    assert value(samples, "portal_content_version") == 42


def test_each_app_counts_its_own(tmp_path, client):
    (tmp_path / "other").mkdir()
    other = make_app(tmp_path / "other").test_client()
    other.get("/healthz")
    other.get("/healthz")
    client.get("/healthz")
    assert requests(scrape(other), "ops.healthz") == 2
    assert requests(scrape(client), "ops.healthz") == 1


def test_the_scrape_is_not_cached_and_sets_no_cookie(app, client, user):
    assert log_in(client, user.email, remember=True).status_code == 303
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/plain; version=")
    assert response.headers["Cache-Control"] == "no-store"
    # A remembered sign-in is renewed on the reader's pages; a scrape is none of them.
    assert "Set-Cookie" not in response.headers
    assert "Vary" not in response.headers


def test_other_addresses_get_the_sites_own_404(client):
    response = client.get("/metrics", environ_base=ELSEWHERE)
    assert response.status_code == 404
    assert soup(response).h1.get_text(strip=True) == soup(client.get("/no-such-page")).h1.get_text(strip=True)
    assert b"portal_http_requests" not in response.data


def test_behind_a_proxy_the_readers_address_decides(tmp_path):
    client = make_app(tmp_path, PROXY_COUNT=1).test_client()
    forwarded = {"X-Forwarded-For": "203.0.113.9"}
    assert client.get("/metrics", headers=forwarded).status_code == 404  # the proxy itself is on loopback
    assert client.get("/metrics", headers={"X-Forwarded-For": "127.0.0.1"}).status_code == 200


def test_with_a_token_only_the_token_opens_it(tmp_path):
    client = make_app(tmp_path, METRICS_TOKEN="s3cret-scrape-token").test_client()
    assert client.get("/metrics").status_code == 404  # loopback alone is not enough
    for header in ("Bearer wrong-token", "Basic s3cret-scrape-token", "Bearer", "Bearer s3cret-scrape-toke",
                   "Bearer s3cret-scrape-token\u00e9"):
        assert client.get("/metrics", headers={"Authorization": header}, environ_base=ELSEWHERE).status_code == 404
    samples = scrape(client, headers={"Authorization": "Bearer s3cret-scrape-token"}, environ_base=ELSEWHERE)
    assert value(samples, "portal_workers") == 1


def test_a_token_of_digits_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("PORTAL_METRICS_TOKEN", "20261202")  # JSON-decoded into a number
    client = make_app(tmp_path).test_client()
    assert client.get("/metrics", headers={"Authorization": "Bearer 20261202"},
                      environ_base=ELSEWHERE).status_code == 200


def test_gunicorn_workers_add_up_and_recycled_ones_are_kept(tmp_path):
    """Two workers, replaced after 4 requests (the streaming worker finishes what its loop has
    accepted first): /metrics counts every request once, whichever worker answered it and whether
    it still runs; exited workers' files are folded into one."""
    folder = tmp_path / "metrics"
    folder.mkdir()
    (folder / "counter_99999.db").write_bytes(b"left by an earlier run")  # emptied at start
    database = f"sqlite:///{tmp_path / 'serving.db'}"
    log = []
    with gunicorn(database, log, PORTAL_WORKERS="2", PROMETHEUS_MULTIPROC_DIR=str(folder),
                  GUNICORN_CMD_ARGS="--max-requests 4 --max-requests-jitter 0") as base:
        for _ in range(12):
            with urllib.request.urlopen(base + "/readyz", timeout=30) as response:
                assert response.status == 200
        # The streaming worker finishes its requests and leaves within its loop's second; its
        # replacement boots after it.
        time.sleep(3)
        with urllib.request.urlopen(base + "/metrics", timeout=30) as response:
            samples = read(response.read().decode())
        exited = sorted(path.name for path in folder.glob("*_exited.db"))
    booted = sum("Booting worker" in line for line in log)
    assert booted >= 3, log  # one worker at least was replaced
    assert requests(samples, "ops.readyz") == 12
    assert value(samples, "portal_db_statements_total", endpoint="ops.readyz") == 12  # SELECT 1 each
    assert value(samples, "portal_workers") in (1, 2)  # the live ones: one may be being replaced
    assert exited == ["counter_exited.db", "histogram_exited.db"]

    # Once all have exited, folding leaves one file per type and the same totals.
    fold_exited_workers(str(folder))
    assert sorted(path.name for path in folder.glob("*.db")) == exited
    registry = CollectorRegistry()
    MultiProcessCollector(registry, path=str(folder))
    assert requests(read(generate_latest(registry).decode()), "ops.readyz") == 12


def test_gunicorn_without_a_folder_makes_one_and_removes_it(tmp_path):
    """The conf's own folder, under the temporary directory, gone when gunicorn stops."""
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    log = []
    with gunicorn(f"sqlite:///{tmp_path / 'serving.db'}", log, PORTAL_WORKERS="1", TMPDIR=str(temporary)) as base:
        with urllib.request.urlopen(base + "/healthz", timeout=10):
            pass
        assert [path.name.startswith("portal-metrics-") for path in temporary.iterdir()] == [True]
        with urllib.request.urlopen(base + "/metrics", timeout=10) as response:
            assert requests(read(response.read().decode()), "ops.healthz") >= 1
    assert list(temporary.iterdir()) == []

