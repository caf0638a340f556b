"""The article page in a real browser: the reader's local time and the share block."""

import pytest


@pytest.fixture
def article_url(live):
    return f"{live.url}/articles/1/"


def test_reader_sees_their_local_time_beside_the_newsroom_time(browser, article_url):
    context = browser.new_context(timezone_id="America/New_York")
    page = context.new_page()
    page.goto(article_url)
    byline_time = page.locator(".byline time").first
    assert byline_time.inner_text().endswith("UTC")
    local = page.locator(".byline .local-time").first
    assert local.inner_text().endswith("your time)")
    assert "EST" in local.inner_text() or "EDT" in local.inner_text() or "GMT-5" in local.inner_text()
    context.close()


def test_no_local_time_added_when_the_reader_is_in_the_newsroom_zone(browser, article_url):
    context = browser.new_context(timezone_id="UTC")
    page = context.new_page()
    page.goto(article_url)
    assert page.locator(".byline time").first.inner_text().endswith("UTC")
    assert page.locator(".local-time").count() == 0
    context.close()


def test_copy_button_puts_the_share_link_on_the_clipboard(browser, live, article_url):
    context = browser.new_context()
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live.url)
    page = context.new_page()
    page.goto(article_url)
    share_url = page.locator("input.share-url").input_value()
    assert share_url.startswith(live.url + "/articles/1/")
    page.get_by_role("button", name="Copy link").click()
    page.get_by_text("Link copied.").wait_for()
    assert page.evaluate("navigator.clipboard.readText()") == share_url
    context.close()


def test_share_controls_stay_hidden_without_javascript(browser, article_url):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(article_url)
    assert page.locator("input.share-url").is_visible()
    assert not page.get_by_role("button", name="Copy link").is_visible()
    context.close()
