"""Search in a real browser: results follow the typing without a page load, the address follows
the query, and the masthead form works without JavaScript."""

import re

import pytest

from ..conftest import StoryFactory, make_app
from .conftest import LiveServer


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    app = make_app(tmp_path_factory.mktemp("search"), TESTING=False)
    factory = StoryFactory(app)
    factory.story("Graphene batteries charge in minutes", minutes_ago=30)
    factory.story("Chip makers meet", summary="Graphene was on the agenda.", minutes_ago=20)
    factory.story("Warehouse robots learn to pick <fragile> parcels", minutes_ago=10)
    factory.stories(25, title="Solar farm opens", start_minutes_ago=40)
    server = LiveServer(app)
    yield server
    server.stop()


def headlines(page) -> list[str]:
    return page.locator("li.search-hit .story-title a").all_inner_texts()


def test_results_follow_the_typing_without_a_page_load(page, site):
    page.goto(site.url + "/search")
    box = page.get_by_role("searchbox", name="Search stories")
    assert box.evaluate("el => el === document.activeElement"), "the empty search page focuses the box"
    page.evaluate("window.__samePage = true")
    requests = []
    page.on("request", lambda request: requests.append(request))

    box.press_sequentially("graph", delay=40)
    page.wait_for_url(re.compile(r"/search\?q=graph$"))
    box.press_sequentially("ene", delay=40)
    page.wait_for_url(re.compile(r"/search\?q=graphene$"))
    page.wait_for_function("document.querySelectorAll('li.search-hit').length === 2")
    assert headlines(page) == ["Graphene batteries charge in minutes", "Chip makers meet"]
    assert page.locator("li.search-hit mark").first.inner_text() == "Graphene"
    assert page.title() == "Search: graphene · Tech Desk"
    assert page.evaluate("window.__samePage") is True, "no page load"
    searches = [r for r in requests if "/search" in r.url]
    assert searches and all(r.headers.get("hx-request") == "true" for r in searches)
    assert len(searches) < len("graphene"), "typing is debounced"

    box.fill("")
    box.press_sequentially("parcels", delay=20)
    page.wait_for_url(re.compile(r"/search\?q=parcels$"))
    page.wait_for_function("document.querySelectorAll('li.search-hit').length === 1")
    assert headlines(page) == ["Warehouse robots learn to pick <fragile> parcels"]

    box.press("Enter")  # submitting the form fetches the fragment too
    page.wait_for_timeout(300)
    assert page.evaluate("window.__samePage") is True
    assert headlines(page) == ["Warehouse robots learn to pick <fragile> parcels"]


def test_a_query_that_is_only_punctuation_shows_a_message(page, site):
    page.goto(site.url + "/search")
    page.get_by_role("searchbox", name="Search stories").press_sequentially('"((*', delay=20)
    message = page.locator(".search-message")
    message.filter(has_text="punctuation").wait_for()
    assert page.locator("li.search-hit").count() == 0


def test_the_masthead_search_and_paging_work_without_javascript(browser, site):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(site.url + "/")
        box = page.locator("header.masthead").get_by_role("searchbox", name="Search stories")
        box.fill("solar")
        box.press("Enter")
        page.wait_for_url(re.compile(r"/search\?q=solar$"))
        assert len(headlines(page)) == 20
        page.locator('a[rel="next"]').click()
        page.wait_for_url(re.compile(r"/search\?q=solar&page=2$"))
        assert len(headlines(page)) == 5
        assert page.locator('a[rel="next"]').count() == 0
    finally:
        context.close()
