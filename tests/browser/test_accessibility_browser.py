"""axe-core (tests/browser/vendor, npm's axe-core 4.14.1) on the pages readers and editors use,
in both themes, at phone and desktop widths: WCAG 2.2 A and AA and axe's best practices, target
size included; any serious or critical violation fails. And the whole front page by keyboard alone,
with the focus visible at every stop."""

from datetime import UTC, datetime

import pytest

from .conftest import serve_demo
from .test_desk_browser import EDITOR, PASSWORD, make_editor

RULES = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa", "best-practice"]
AXE_RUN = """tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})
  .then(result => result.violations
    .filter(rule => rule.impact === 'serious' || rule.impact === 'critical')
    .map(rule => `${rule.id} (${rule.impact}): ` + rule.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', ')))"""
# The archive's today (the demo's newest stories; the tests' newsroom is in UTC).
PAGES = ["/", "/articles/3", f"/archive/{datetime.now(UTC):%Y/%m/%d}", "/search?q=data", "/login", "/bookmarks",
         "/desk", "/desk/stories/new"]
SIGNED_IN = {"/bookmarks", "/desk", "/desk/stories/new"}


@pytest.fixture(scope="module")
def newsroom(tmp_path_factory):
    server = serve_demo(tmp_path_factory.mktemp("axe"))
    make_editor(server)
    yield server
    server.stop()


@pytest.fixture(scope="module", params=["light", "dark"])
def theme(request):
    return request.param


@pytest.fixture(scope="module", params=[390, 1280], ids=["phone", "desktop"])
def width(request):
    return request.param


@pytest.fixture(scope="module")
def editor_context(browser, newsroom, theme, width):
    """An editor's browser in that theme (chosen in the Theme menu's storage) and width."""
    context = browser.new_context(viewport={"width": width, "height": 900})
    context.add_init_script(f"localStorage.setItem('portal.theme', '{theme}')")
    page = context.new_page()
    page.goto(newsroom.url + "/login")
    page.get_by_label("Email").fill(EDITOR)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(newsroom.url + "/")
    page.close()
    yield context
    context.close()


@pytest.fixture(scope="module")
def reader_context(browser, theme, width):
    context = browser.new_context(viewport={"width": width, "height": 900})
    context.add_init_script(f"localStorage.setItem('portal.theme', '{theme}')")
    yield context
    context.close()


@pytest.mark.parametrize("path", PAGES)
def test_no_serious_or_critical_violations(newsroom, editor_context, reader_context, axe_source, theme, path):
    context = editor_context if path in SIGNED_IN else reader_context
    page = context.new_page()
    try:
        response = page.goto(newsroom.url + path)
        assert response.ok
        assert page.evaluate("document.documentElement.dataset.theme") == theme
        page.evaluate(axe_source)
        assert page.evaluate(AXE_RUN, RULES) == []
    finally:
        page.close()


VISIBLE_FOCUS = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  const box = el.getBoundingClientRect();
  return {
    tag: el.tagName, text: (el.innerText || el.value || el.getAttribute('aria-label') || '').slice(0, 40),
    outlined: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2,
    sized: box.width > 0 && box.height > 0,
  };
}"""


def test_the_front_page_by_keyboard_alone_shows_where_the_focus_is(page, live):
    """Tab from the top through the masthead and the first stories: every stop is visible."""
    page.goto(live.url + "/")
    stops = []
    for _ in range(30):
        page.keyboard.press("Tab")
        stops.append(page.evaluate(VISIBLE_FOCUS))
    assert stops[0]["text"] == "Skip to content"
    assert [stop for stop in stops if not (stop["outlined"] and stop["sized"])] == []
    assert any(stop["text"].startswith("Save") for stop in stops)
    # The skip link goes straight to the stories.
    page.keyboard.press("Shift+Tab")
    page.goto(live.url + "/")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('main') !== null")


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_the_dialogs_have_no_serious_or_critical_violations(browser, live, axe_source, theme):
    """The keyboard shortcuts' help and the Share quote dialog, open."""
    from .test_quotes_browser import select_in_last_paragraph

    context = browser.new_context(viewport={"width": 1280, "height": 800})
    context.add_init_script(f"localStorage.setItem('portal.theme', '{theme}')")
    page = context.new_page()
    try:
        page.goto(live.url + "/")
        page.keyboard.press("Shift+?")
        page.get_by_role("dialog", name="Keyboard shortcuts").wait_for()
        page.evaluate(axe_source)
        assert page.evaluate(AXE_RUN, RULES) == []

        page.goto(live.url + "/articles/5")
        select_in_last_paragraph(page)
        page.get_by_role("button", name="Share quote").click()
        page.get_by_role("dialog", name="Share quote").get_by_label("Link to this passage").wait_for()
        page.evaluate(axe_source)
        assert page.evaluate(AXE_RUN, RULES) == []
    finally:
        context.close()
