"""Keyboard shortcuts in a real browser (static/js/keys.js): j and k through the headlines,
loading more at the end; o or Enter to open, s to save, / to search, g h home, ? for the help,
which turns them off; nothing while typing or with a modifier held."""

import re

import pytest
from playwright.sync_api import expect

from .test_accounts_browser import register

FOCUSED_ROW = "() => document.activeElement.closest('li.story')?.id ?? null"
FOCUSED_HEADLINE = """() => {
  const el = document.activeElement;
  return el.matches('.story-title a') && el.matches(':focus-visible')
    && getComputedStyle(el).outlineStyle !== 'none' ? el.closest('li.story').id : null;
}"""


def row_ids(page):
    return page.eval_on_selector_all("ol.stories li.story", "els => els.map(e => e.id)")


@pytest.fixture
def keyed(page):
    """The page with script errors recorded (none allowed)."""
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    assert errors == []


def test_j_and_k_move_a_visible_focus_through_the_headlines(keyed, live):
    page = keyed
    page.goto(live.url + "/")
    ids = row_ids(page)
    page.keyboard.press("j")
    assert page.evaluate(FOCUSED_HEADLINE) == ids[0]
    page.keyboard.press("j")
    page.keyboard.press("j")
    assert page.evaluate(FOCUSED_HEADLINE) == ids[2]
    page.keyboard.press("k")
    assert page.evaluate(FOCUSED_HEADLINE) == ids[1]
    page.keyboard.press("k")
    page.keyboard.press("k")  # nothing above the first
    assert page.evaluate(FOCUSED_HEADLINE) == ids[0]


def test_j_at_the_last_headline_loads_more_and_goes_on(keyed, live):
    page = keyed
    page.goto(live.url + "/")
    first_batch = row_ids(page)
    page.locator(f"#{first_batch[-1]} .story-title a").focus()
    page.keyboard.press("j")
    page.wait_for_function("n => document.querySelectorAll('ol.stories li.story').length > n",
                           arg=len(first_batch))
    expect(page.locator(f"#{row_ids(page)[len(first_batch)]} .story-title a")).to_be_focused()
    page.keyboard.press("j")
    assert page.evaluate(FOCUSED_ROW) == row_ids(page)[len(first_batch) + 1]


@pytest.mark.parametrize("key", ["o", "Enter"])
def test_o_or_enter_opens_the_focused_story(keyed, live, key):
    page = keyed
    page.goto(live.url + "/")
    page.keyboard.press("j")
    page.keyboard.press("j")
    href = page.evaluate("document.activeElement.href")
    page.keyboard.press(key)
    page.wait_for_url(href)
    expect(page.locator("h1.article-title")).to_be_visible()


def test_s_signed_out_goes_to_sign_in_as_the_save_link_does(keyed, live):
    page = keyed
    page.goto(live.url + "/")
    page.keyboard.press("j")
    story_id = page.evaluate(FOCUSED_ROW).removeprefix("story-")
    page.keyboard.press("s")
    page.wait_for_url(re.compile(rf"/login\?.*save={story_id}"))


def test_s_signed_in_saves_and_unsaves_the_focused_story_in_place(keyed, live):
    page = keyed
    register(page, live)
    page.keyboard.press("j")
    page.keyboard.press("j")
    row = page.evaluate(FOCUSED_ROW)
    button = page.locator(f"#{row} button.bookmark-button")
    expect(button).to_have_attribute("aria-pressed", "false")
    page.keyboard.press("s")
    expect(button).to_have_attribute("aria-pressed", "true")
    assert page.evaluate(FOCUSED_ROW) == row, "the reader stays on the story"
    page.keyboard.press("s")
    expect(button).to_have_attribute("aria-pressed", "false")


def test_slash_focuses_search_and_typing_there_is_left_alone(keyed, live):
    page = keyed
    page.goto(live.url + "/")
    page.keyboard.press("/")
    search = page.get_by_role("searchbox", name="Search stories")
    expect(search).to_be_focused()
    page.keyboard.type("jks/?")
    expect(search).to_have_value("jks/?")
    expect(page.get_by_role("dialog")).to_have_count(0)


def test_keys_held_with_ctrl_alt_or_meta_are_the_browsers(keyed, live):
    page = keyed
    page.goto(live.url + "/")
    for chord in ("Alt+j", "Control+j", "Meta+j", "Alt+Shift+?"):
        page.keyboard.press(chord)
    assert page.evaluate(FOCUSED_ROW) is None
    expect(page.get_by_role("dialog")).to_have_count(0)


def test_on_an_article_s_search_home_and_help_work_and_j_does_nothing(keyed, live):
    page = keyed
    page.goto(live.url + "/")
    page.locator("ol.stories .story-title a").nth(3).click()
    page.wait_for_url(re.compile(r"/articles/"))
    article = page.url
    page.keyboard.press("j")
    assert page.evaluate("document.activeElement === document.body || document.activeElement.id === 'main'")
    page.keyboard.press("Shift+?")
    expect(page.get_by_role("dialog", name="Keyboard shortcuts")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog")).to_be_hidden()
    page.keyboard.press("/")
    expect(page.get_by_role("searchbox", name="Search stories")).to_be_focused()
    page.locator("h1.article-title").click()  # out of the field
    page.keyboard.press("s")
    page.wait_for_url(re.compile(r"/login\?.*save="))
    page.goto(article)
    page.keyboard.press("g")
    page.keyboard.press("h")
    page.wait_for_url(live.url + "/")


def test_the_help_lists_every_key_closes_with_escape_and_turns_the_keys_off(keyed, live):
    page = keyed
    page.goto(live.url + "/")
    page.keyboard.press("Shift+?")
    help_dialog = page.get_by_role("dialog", name="Keyboard shortcuts")
    expect(help_dialog).to_be_visible()
    assert page.evaluate("document.querySelector('dialog').open && document.querySelector('dialog:modal') !== null")
    keys = help_dialog.locator("dt").all_inner_texts()
    assert keys == ["j", "k", "o or Enter", "s", "/", "g then h", "?", "Esc"]
    page.keyboard.press("Escape")
    expect(help_dialog).to_be_hidden()

    page.keyboard.press("Shift+?")
    switch = help_dialog.get_by_label("Keyboard shortcuts on")
    expect(switch).to_be_checked()
    switch.uncheck()
    help_dialog.get_by_role("button", name="Close").click()
    expect(help_dialog).to_be_hidden()
    page.reload()  # remembered by this browser
    for key in ("j", "/", "Shift+?"):
        page.keyboard.press(key)
    assert page.evaluate(FOCUSED_ROW) is None
    expect(page.get_by_role("searchbox", name="Search stories")).not_to_be_focused()
    expect(page.get_by_role("dialog")).to_have_count(0)
    assert page.context.cookies() == []

    # Back on from the footer's button.
    page.get_by_role("contentinfo").get_by_role("button", name="Keyboard shortcuts").click()
    help_dialog.get_by_label("Keyboard shortcuts on").check()
    page.keyboard.press("Escape")
    expect(help_dialog).to_be_hidden()
    page.keyboard.press("j")  # from the footer: the first headline on screen
    assert page.evaluate(FOCUSED_HEADLINE) in row_ids(page)


def test_rows_added_by_the_live_notice_are_reached_by_j(keyed, tmp_path):
    from .conftest import serve_demo
    from .test_live_browser import insert_new_stories, publish

    page = keyed
    server = serve_demo(tmp_path, LIVE_INTERVAL=1)
    try:
        page.goto(server.url + "/")
        fresh = publish(server, "Reached by the keyboard")
        insert_new_stories(page, "1 new story")
        page.locator("#main").focus()
        page.keyboard.press("j")
        assert page.evaluate(FOCUSED_HEADLINE) == fresh
    finally:
        server.stop()


def test_a_checkbox_or_button_with_the_focus_takes_no_words_so_keys_work(keyed, live):
    page = keyed
    page.goto(live.url + "/login")
    page.get_by_label("Email").press("j")
    expect(page.get_by_label("Email")).to_have_value("j")  # typed, not a shortcut
    page.get_by_role("checkbox").focus()
    page.keyboard.press("/")
    expect(page.get_by_role("searchbox", name="Search stories")).to_be_focused()


def test_j_waiting_for_more_lets_go_once_the_reader_moves_on(keyed, live):
    """A batch that comes after the reader has gone back up does not pull them down again."""
    page = keyed
    page.goto(live.url + "/")
    first_batch = row_ids(page)
    page.route("**/?after=*", lambda route: (page.wait_for_timeout(800), route.continue_()))
    page.locator(f"#{first_batch[-1]} .story-title a").focus()
    page.keyboard.press("j")  # at the end: more is asked for
    page.keyboard.press("k")
    back_on = page.evaluate(FOCUSED_ROW)
    assert back_on == first_batch[-2]
    page.wait_for_function("n => document.querySelectorAll('ol.stories li.story').length > n",
                           arg=len(first_batch))
    page.wait_for_timeout(200)
    assert page.evaluate(FOCUSED_ROW) == back_on
