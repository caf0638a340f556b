"""Times in lists read "12 min. ago" in the browser and stay right while the page is open: the
server prints an absolute time, static/js/site.js turns it relative and keeps it current.
Playwright's clock stands in for the reader's: installed before the page loads, then moved on."""

from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from ..conftest import StoryFactory, make_app
from .conftest import LiveServer
from .test_feed_browser import load_batches
from .test_live_browser import insert_new_stories, publish

# Ages of the stories, in minutes, newest first; 4 a page, so three batches.
AGES = [3, 7, 12, 20, 26, 31, 44, 50, 58, 61, 90, 130]
PAGE_SIZE = 4


@pytest.fixture
def server(tmp_path):
    """Stories published AGES minutes before `server.now`, and a list that polls every second."""
    app = make_app(tmp_path, TESTING=False, FEED_PAGE_SIZE=PAGE_SIZE, LIVE_INTERVAL=1)
    factory = StoryFactory(app)
    now = datetime.now(UTC).replace(microsecond=0)
    for age in AGES:
        factory.story(f"A story from {age} minutes ago", published_at=now - timedelta(minutes=age))
    server = LiveServer(app)
    server.now = now
    yield server
    server.stop()


@pytest.fixture
def reader(page, server):
    """The front page, read with the reader's clock 20 seconds after `server.now`."""
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.clock.install(time=server.now + timedelta(seconds=20))
    page.goto(server.url + "/")
    page.evaluate("window.__sameDocument = true")
    yield page
    assert page.evaluate("window.__sameDocument"), "the page was never reloaded"
    assert errors == []


def times(page):
    return page.locator("ol.stories li.story time").all_inner_texts()


def minutes_ago(minutes):
    return "this minute" if minutes == 0 else f"{minutes} min. ago"


def test_times_read_minutes_ago_and_move_on_with_the_clock(reader, server):
    first = reader.locator("ol.stories li.story").first.locator("time")
    expect(first).to_have_text("3 min. ago")
    assert times(reader)[:PAGE_SIZE] == ["3 min. ago", "7 min. ago", "12 min. ago", "20 min. ago"]
    published = server.now - timedelta(minutes=3)
    assert first.get_attribute("datetime") == published.isoformat()
    assert first.get_attribute("title") == f"{published.day} {published:%B %Y, %H:%M} UTC"

    reader.clock.fast_forward("05:00")
    expect(first).to_have_text("8 min. ago")
    reader.clock.fast_forward("02:00:00")
    expect(first).to_have_text("2 hr. ago")
    # A day on, the date: "14:05" alone, as printed on the day, would name the wrong day now.
    reader.clock.fast_forward("22:00:00")
    expect(first).to_have_text(f"{published.day} {published:%b}")


def test_rows_added_by_scrolling_and_by_the_live_notice_read_relative_too(reader, server):
    load_batches(reader)
    expected = [minutes_ago(age) if age < 60 else f"{age // 60} hr. ago" for age in AGES]
    assert times(reader) == expected

    publish(server, "Breaking: a story this minute")
    insert_new_stories(reader, "1 new story")
    assert times(reader)[0] == minutes_ago(0)


def test_a_page_shown_again_from_the_back_forward_cache_is_brought_up_to_date(reader):
    first = reader.locator("ol.stories li.story").first.locator("time")
    expect(first).to_have_text("3 min. ago")
    # Timers stand still while a page is in the cache; its clock has moved on when it is shown.
    shown_at = datetime.fromtimestamp(reader.evaluate("Date.now()") / 1000, UTC)
    reader.clock.pause_at(shown_at + timedelta(seconds=1))
    reader.clock.set_system_time(shown_at + timedelta(minutes=40))
    expect(first).to_have_text("3 min. ago")
    reader.evaluate("window.dispatchEvent(new PageTransitionEvent('pageshow', {persisted: true}))")
    expect(first).to_have_text("43 min. ago")


def test_without_javascript_the_printed_time_stays(browser, server):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(server.url + "/")
    published = (server.now - timedelta(minutes=3)).astimezone(UTC)
    expected = f"{published:%H:%M}" if published.date() == datetime.now(UTC).date() else f"{published.day} {published:%b}"
    assert times(page)[0] == expected
    context.close()
