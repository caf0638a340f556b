"""How htmx reaches the page. By default, the vendored copy, deferred. With PORTAL_HTMX_CDN=1, the
pinned CDN file when it answers, else the vendored copy: exactly one of them set up, and a CDN that
hangs holds nothing up. The browser has no internet: the tests play the CDN with page routes."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from portal.config import HTMX_CDN_URL, HTMX_VERSION

from .conftest import serve_demo
from .test_feed_browser import ROW_IDS, load_batches
from .test_live_browser import publish

CDN_FILES = "https://cdn.jsdelivr.net/**"
VENDORED = Path(__file__).resolve().parents[2] / "static" / "vendor" / f"htmx-{HTMX_VERSION}.min.js"
VENDORED_URL = re.compile(rf"/static/vendor/htmx-{re.escape(HTMX_VERSION)}\.min\.[0-9a-f]{{12}}\.js")
# Counts htmx setting up the page (its htmx:load on the body), document.write calls and CSP
# violations, from before any script of the page runs.
WATCH = """
window.__htmxSetUps = 0;
window.__writes = 0;
window.__cspViolations = [];
document.addEventListener('htmx:load', e => { if (e.target === document.body) window.__htmxSetUps++; });
const write = Document.prototype.write;
Document.prototype.write = function () { window.__writes++; return write.apply(this, arguments); };
document.addEventListener('securitypolicyviolation',
  e => window.__cspViolations.push(e.violatedDirective + ' ' + e.blockedURI));
"""


class Visit:
    """A browser tab on the site, whose CDN answers as `cdn` says, with what happened in it."""

    def __init__(self, browser, cdn=None):
        self.context = browser.new_context(viewport={"width": 1280, "height": 800})
        self.cdn_requests = []
        self.held = []  # routes of a CDN that never answers
        if cdn is not None:
            def answer(route):
                self.cdn_requests.append(route.request.url)
                cdn(self, route)
            self.context.route(CDN_FILES, answer)
        self.context.add_init_script(WATCH)
        self.page = self.context.new_page()
        self.page.set_default_timeout(10_000)
        self.requests = []
        self.errors = []
        self.console_errors = []
        self.page.on("request", lambda request: self.requests.append(request.url))
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.on("console", lambda message: message.type == "error" and self.console_errors.append(
            f"{message.text} ({message.location['url']})"))

    def vendored_requests(self):
        return [url for url in self.requests if VENDORED_URL.search(url)]

    def scripts(self):
        return self.page.eval_on_selector_all("script[src]", "els => els.map(s => s.src)")

    def assert_htmx_set_up_once_and_clean(self):
        assert self.page.evaluate("window.htmx && htmx.version") == HTMX_VERSION
        assert self.page.evaluate("window.__htmxSetUps") == 1
        assert self.page.evaluate("window.__writes") == 0
        assert self.page.evaluate("window.__cspViolations") == []
        assert self.errors == []

    def close(self):
        for route in self.held:  # long given up on by the page; Playwright wants every route answered
            route.abort()
        self.context.close()


def hang(visit, route):
    visit.held.append(route)


def answer_with_the_vendored_file(visit, route):
    route.fulfill(status=200, body=VENDORED.read_bytes(), content_type="application/javascript",
                  headers={"Access-Control-Allow-Origin": "*"})


def refuse(visit, route):
    route.abort()


def answer_with_other_bytes(visit, route):
    route.fulfill(status=200, body=VENDORED.read_bytes() + b"\n;alert(1)", content_type="application/javascript",
                  headers={"Access-Control-Allow-Origin": "*"})


@pytest.fixture(scope="module")
def cdn_live(tmp_path_factory):
    server = serve_demo(tmp_path_factory.mktemp("cdn"), HTMX_CDN=True, LIVE_INTERVAL=1)
    yield server
    server.stop()


@pytest.fixture
def visit(browser):
    visits = []

    def open_visit(cdn=None):
        visits.append(Visit(browser, cdn))
        return visits[-1]

    yield open_visit
    for made in visits:
        made.close()


def scrolls_in_feed_order(visit, server, rows=60):
    load_batches(visit.page, until_rows=rows)
    shown = visit.page.eval_on_selector_all("li.story", ROW_IDS)
    assert len(shown) >= rows
    assert shown == server.feed_order()[: len(shown)]  # each batch once, none twice


def test_by_default_the_vendored_copy_runs_deferred(visit, live):
    tab = visit()
    tab.page.goto(live.url + "/")
    # htmx, and the extension live.js loads after it for the list's stream.
    htmx, extension = [src for src in tab.scripts() if "htmx" in src]
    assert VENDORED_URL.fullmatch(htmx.removeprefix(live.url))
    assert "/static/vendor/htmx-ext-sse-2.2.4.min." in extension
    assert tab.page.eval_on_selector('script[src*="htmx"]', "s => s.defer")
    scrolls_in_feed_order(tab, live)
    tab.assert_htmx_set_up_once_and_clean()
    assert [url for url in tab.requests if not url.startswith(live.url)] == []
    assert tab.console_errors == []


def test_a_cdn_that_never_answers_holds_nothing_up(visit, cdn_live):
    tab = visit(cdn=hang)
    tab.page.goto(cdn_live.url + "/")
    # Painted while the CDN still has not answered: nothing waited for it.
    expect(tab.page.locator("li.story").first).to_be_visible()
    tab.page.wait_for_function("() => performance.getEntriesByName('first-contentful-paint').length > 0")
    assert tab.cdn_requests == [HTMX_CDN_URL]
    # After a moment, the vendored copy, and the page works.
    scrolls_in_feed_order(tab, cdn_live)
    assert len(tab.vendored_requests()) == 1
    assert HTMX_CDN_URL not in tab.scripts()
    tab.assert_htmx_set_up_once_and_clean()
    assert tab.console_errors == []


def test_the_cdn_answering_late_cannot_set_up_htmx_twice(visit, cdn_live):
    tab = visit(cdn=hang)
    tab.page.goto(cdn_live.url + "/")
    tab.page.wait_for_function("() => window.__htmxSetUps === 1")
    late = tab.held.pop()
    assert tab.held == []
    late.fulfill(status=200, body=VENDORED.read_bytes(), content_type="application/javascript",
                 headers={"Access-Control-Allow-Origin": "*"})
    scrolls_in_feed_order(tab, cdn_live)
    assert tab.cdn_requests == [HTMX_CDN_URL]
    tab.assert_htmx_set_up_once_and_clean()


def test_a_cdn_that_answers_is_used(visit, cdn_live):
    tab = visit(cdn=answer_with_the_vendored_file)
    tab.page.goto(cdn_live.url + "/")
    scrolls_in_feed_order(tab, cdn_live)
    assert HTMX_CDN_URL in tab.scripts()
    assert tab.vendored_requests() == []
    # Fetched, then run (from the HTTP cache, except here: routing turns Chromium's cache off).
    assert set(tab.cdn_requests) == {HTMX_CDN_URL}
    tab.assert_htmx_set_up_once_and_clean()
    assert tab.console_errors == []


@pytest.mark.parametrize("cdn", [refuse, answer_with_other_bytes], ids=["unreachable", "tampered"])
def test_a_cdn_that_fails_falls_back_to_the_vendored_copy(visit, cdn_live, cdn):
    tab = visit(cdn=cdn)
    tab.page.goto(cdn_live.url + "/")
    scrolls_in_feed_order(tab, cdn_live)
    assert tab.cdn_requests == [HTMX_CDN_URL]
    assert len(tab.vendored_requests()) == 1
    assert HTMX_CDN_URL not in tab.scripts()
    tab.assert_htmx_set_up_once_and_clean()
    # What the browser says of the failed request itself, and nothing more.
    assert all(HTMX_CDN_URL in error for error in tab.console_errors), tab.console_errors


def test_new_stories_are_announced_when_htmx_comes_after_the_page(visit, cdn_live):
    tab = visit(cdn=hang)
    tab.page.goto(cdn_live.url + "/")
    fresh = publish(cdn_live, "Undersea cable lands a day early")
    notice = tab.page.locator("#new-stories")
    expect(notice).to_contain_text("1 new story", timeout=5_000)
    notice.get_by_role("link").click()
    expect(tab.page.locator(f"#{fresh}")).to_have_count(1)
    tab.assert_htmx_set_up_once_and_clean()
