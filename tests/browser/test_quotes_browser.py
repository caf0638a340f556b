"""Share quote in a real browser: selecting a passage offers it; the dialog shows the passage's
link and a QR code that scans as that link; the link opens the story at the passage (a text
fragment kept through the short link's redirect), and where browsers lack text fragments
static/js/quotes.js selects the passage and brings it into view."""

import io
import re

import pytest
import zxingcpp
from PIL import Image
from playwright.sync_api import expect

SELECT = """([selector, start, length]) => {
  const node = document.querySelector(selector).firstChild;
  const range = document.createRange();
  range.setStart(node, start);
  range.setEnd(node, start + length);
  getSelection().removeAllRanges();
  getSelection().addRange(range);
  return range.toString();
}"""
IN_VIEW = """text => {
  const p = [...document.querySelectorAll('.article-body p')].find(p => p.textContent.includes(text));
  const box = p.getBoundingClientRect();
  return box.top >= 0 && box.bottom <= innerHeight && scrollY > 0;
}"""


@pytest.fixture
def article(page, live):
    """An article page, its last paragraph far enough down to need scrolling to."""
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.set_viewport_size({"width": 1280, "height": 600})
    page.goto(live.url + "/articles/5")
    yield page
    assert errors == []


def select_in_last_paragraph(page, words=6):
    text = page.locator(".article-body p").last.inner_text()
    passage = " ".join(text.split()[:words])
    assert page.evaluate(SELECT, [".article-body p:last-of-type", 0, len(passage)]) == passage
    return passage


def scanned(locator) -> list[str]:
    image = Image.open(io.BytesIO(locator.screenshot())).convert("L")
    return [result.text for result in zxingcpp.read_barcodes(image)]


def test_a_selected_passage_is_shared_with_its_link_and_a_qr_code_that_scans(article):
    page = article
    passage = select_in_last_paragraph(page)
    button = page.get_by_role("button", name="Share quote")
    expect(button).to_be_visible()
    button.click()
    dialog = page.get_by_role("dialog", name="Share quote")
    expect(dialog).to_be_visible()
    expect(dialog.locator(".quote-passage")).to_have_text(passage)
    link = dialog.get_by_label("Link to this passage").input_value()
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/s/5#:~:text=[^,]+", link)
    qr = dialog.get_by_role("img", name="QR code linking to this passage of the story")
    expect(qr).to_have_js_property("complete", True)
    assert qr.evaluate("img => img.naturalWidth") > 0
    assert scanned(qr) == [link]
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    dialog.get_by_role("button", name="Copy link").click()
    expect(dialog.get_by_role("status")).to_have_text("Link copied.")
    assert page.evaluate("navigator.clipboard.readText()") == link
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()


def test_nothing_selected_offers_nothing(article):
    page = article
    select_in_last_paragraph(page)
    expect(page.get_by_role("button", name="Share quote")).to_be_visible()
    page.evaluate("getSelection().removeAllRanges()")
    expect(page.get_by_role("button", name="Share quote")).to_be_hidden()


def test_a_passage_too_long_is_refused_in_the_dialog(article, live):
    page = article
    page.evaluate("""() => {
      const body = document.querySelector('.article-body');
      const range = document.createRange();
      range.selectNodeContents(body);
      getSelection().removeAllRanges();
      getSelection().addRange(range);
    }""")
    page.get_by_role("button", name="Share quote").click()
    dialog = page.get_by_role("dialog", name="Share quote")
    expect(dialog.get_by_role("alert")).to_have_text("Choose a shorter passage: at most 300 characters.")
    expect(dialog.get_by_role("button", name="Copy link")).to_be_hidden()


def test_the_link_opens_the_story_at_the_passage(article):
    page = article
    passage = select_in_last_paragraph(page)
    page.get_by_role("button", name="Share quote").click()
    link = page.get_by_role("dialog").get_by_label("Link to this passage").input_value()
    page.goto("about:blank")
    page.goto(link)
    assert re.search(r"/articles/5/[\w-]+", page.url), "the short link led to the story"
    assert page.evaluate("'fragmentDirective' in document")
    page.wait_for_function(IN_VIEW, arg=passage)  # scrolled there by the browser itself


def test_without_text_fragments_the_script_selects_the_passage_and_shows_it(browser, live):
    context = browser.new_context(viewport={"width": 1280, "height": 600})
    # As in a browser that has never heard of text fragments.
    context.add_init_script("delete Document.prototype.fragmentDirective")
    page = context.new_page()
    try:
        page.goto(live.url + "/articles/5")
        passage = select_in_last_paragraph(page, words=8)
        page.get_by_role("button", name="Share quote").click()
        link = page.get_by_role("dialog").get_by_label("Link to this passage").input_value()
        page.goto("about:blank")
        page.goto(link)
        assert not page.evaluate("'fragmentDirective' in document")
        page.wait_for_function("text => getSelection().toString().replace(/\\s+/g, ' ') === text", arg=passage)
        page.wait_for_function(IN_VIEW, arg=passage)
    finally:
        context.close()


def test_keys_belong_to_the_open_dialog_not_the_page_behind_it(article):
    page = article
    select_in_last_paragraph(page)
    page.get_by_role("button", name="Share quote").click()
    dialog = page.get_by_role("dialog", name="Share quote")
    dialog.get_by_label("Link to this passage").wait_for()
    dialog.get_by_role("button", name="Close").focus()
    url = page.url
    for key in ("s", "g", "h", "Shift+?", "/"):
        page.keyboard.press(key)
    page.wait_for_timeout(300)
    assert page.url == url, "the Save behind the dialog was not pressed, and nobody went home"
    expect(page.get_by_role("dialog", name="Keyboard shortcuts")).to_have_count(0)
    expect(page.get_by_role("searchbox", name="Search stories")).not_to_be_focused()
