"""What a reader sees in a real browser: infinite scroll, paging without JavaScript, Back."""

import pytest

from .conftest import DEMO_STORIES, serve_demo

ROW_IDS = "els => els.map(e => e.id)"


def scroll_to_sentinel(page):
    """In one step: the sentinel may be swapped out for the next batch at any moment, which a
    locator's wait for a stable element would trip over."""
    page.evaluate("document.querySelector('.feed-more')?.scrollIntoView()")


def load_batches(page, until_rows=None):
    """Scroll the sentinel into view until the list ends (or has `until_rows` rows)."""
    for _ in range(50):
        rows = page.locator("li.story").count()
        if page.locator(".feed-end").count() or (until_rows and rows >= until_rows):
            return
        scroll_to_sentinel(page)
        page.wait_for_function(
            "n => document.querySelectorAll('li.story').length > n || document.querySelector('.feed-end')",
            arg=rows,
        )
    raise AssertionError("the list never ended")


def test_scrolling_the_front_page_reaches_the_end_without_duplicates(page, live):
    page.goto(live.url + "/")
    entries = page.evaluate("history.length")
    load_batches(page)
    rows = page.eval_on_selector_all("li.story", ROW_IDS)
    assert len(rows) == DEMO_STORIES
    assert rows == live.feed_order()
    assert page.locator(".feed-more").count() == 0
    assert page.locator(".feed-end").is_visible()
    # One history entry however many batches loaded; the address names the last story shown.
    assert page.evaluate("history.length") == entries
    assert page.url == f"{live.url}/?through={rows[-1].removeprefix('story-')}"


def test_paging_with_javascript_off_follows_older_stories_links(browser, live):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live.url + "/")
    seen = []
    for _ in range(20):
        seen += page.eval_on_selector_all("li.story", ROW_IDS)
        older = page.locator('a[rel="next"]')
        if older.count() == 0:
            break
        older.click()
        page.wait_for_load_state()
    context.close()
    assert seen == live.feed_order()


def test_back_after_opening_a_story_restores_the_list_and_the_place(page, live):
    page.goto(live.url + "/")
    load_batches(page, until_rows=90)
    shown_before = page.eval_on_selector_all("li.story", ROW_IDS)
    assert len(shown_before) >= 90
    target = page.locator("li.story").nth(75)
    target_id = target.get_attribute("id")
    target.evaluate("el => el.scrollIntoView({block: 'center'})")
    top_before = target.bounding_box()["y"]
    headline = target.locator(".story-title a").inner_text()

    target.locator(".story-title a").click()
    page.wait_for_url("**/articles/**")
    assert page.locator("h1").inner_text() == headline
    page.go_back()
    page.wait_for_load_state()

    restored = page.locator(f"#{target_id}")
    assert restored.count() == 1
    box = restored.bounding_box()
    viewport = page.viewport_size["height"]
    assert 0 <= box["y"] < viewport, "the opened story is on screen"
    assert abs(box["y"] - top_before) < viewport
    shown_after = page.eval_on_selector_all("li.story", ROW_IDS)
    assert shown_after[: len(shown_before)] == shown_before
    assert len(shown_after) == len(set(shown_after))



@pytest.fixture(scope="module")
def small_batches(tmp_path_factory):
    """The demo with batches of 5, so that one day of it takes several."""
    server = serve_demo(tmp_path_factory.mktemp("archive"), FEED_PAGE_SIZE=5)
    yield server
    server.stop()


def busiest_day(live) -> tuple[str, list[str]]:
    """The archive's address of the day (the tests' newsroom is in UTC) with the most demo
    stories, and their row ids in feed order."""
    days = {}
    for row_id, published_at in live.feed_rows():
        days.setdefault(f"{published_at:%Y/%m/%d}", []).append(row_id)
    return max(days.items(), key=lambda day: len(day[1]))


def test_an_archive_day_scrolls_to_its_end_and_pages_without_javascript(browser, page, small_batches):
    day, expected = busiest_day(small_batches)
    assert len(expected) > 10
    page.goto(f"{small_batches.url}/archive/{day}")
    load_batches(page)
    assert page.eval_on_selector_all("li.story", ROW_IDS) == expected
    assert page.locator(".feed-end").inner_text().startswith("That’s every story of ")

    context = browser.new_context(java_script_enabled=False)
    plain = context.new_page()
    plain.goto(f"{small_batches.url}/archive/{day}")
    seen = []
    for _ in range(20):
        seen += plain.eval_on_selector_all("li.story", ROW_IDS)
        older = plain.locator('a[rel="next"]')
        if older.count() == 0:
            break
        older.click()
        plain.wait_for_load_state()
    context.close()
    assert seen == expected


def test_an_articles_date_opens_the_archive_of_its_day(page, live):
    page.goto(live.url + "/")
    page.locator("li.story .story-title a").first.click()
    page.wait_for_url("**/articles/**")
    story_id = page.url.split("/articles/")[1].split("/")[0]
    page.locator(".byline a.byline-date").click()
    page.wait_for_url("**/archive/**")
    assert page.locator(f"#story-{story_id}").count() == 1
