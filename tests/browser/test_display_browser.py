"""The reader's display settings in a real browser: the Theme menu (System, Light, Dark) and the
Density menu in the footer, kept in localStorage (no cookie) and applied before the first paint;
touch targets of at least 24 by 24 px."""

import re

import pytest
from playwright.sync_api import expect

BACKGROUND = "getComputedStyle(document.body).backgroundColor"
LIGHT, DARK = "rgb(255, 255, 255)", "rgb(18, 19, 22)"


@pytest.fixture
def dark_system(browser):
    """A browser whose system prefers dark colours."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, color_scheme="dark")
    page = context.new_page()
    yield page
    context.close()


def test_the_theme_menu_is_outside_main_and_follows_the_system_by_default(dark_system, live):
    page = dark_system
    page.goto(live.url + "/")
    theme = page.get_by_role("contentinfo").get_by_label("Theme")
    expect(theme).to_have_value("")
    assert theme.locator("option").all_inner_texts() == ["System", "Light", "Dark"]
    assert page.locator("main select").count() == 0
    assert page.evaluate(BACKGROUND) == DARK


@pytest.mark.parametrize("choice, colour", [("Light", LIGHT), ("Dark", DARK)])
def test_a_chosen_theme_is_remembered_without_a_cookie_and_painted_first(dark_system, live, choice, colour):
    page = dark_system
    if choice == "Dark":
        page.emulate_media(color_scheme="light")  # the choice overrules the system either way
    page.goto(live.url + "/")
    page.get_by_label("Theme").select_option(label=choice)
    assert page.evaluate(BACKGROUND) == colour
    assert page.evaluate("localStorage.getItem('portal.theme')") == choice.lower()
    assert page.context.cookies() == []

    # Applied by the blocking script in <head>: with every deferred script held back, the next
    # page still paints in the chosen theme, and an article too.
    page.route(re.compile(r"/static/.*\.js$"),
               lambda route: route.continue_() if "/js/settings." in route.request.url else route.abort())
    for path in ("/", "/articles/3"):
        page.goto(live.url + path)
        assert page.evaluate("document.documentElement.dataset.theme") == choice.lower()
        assert page.evaluate(BACKGROUND) == colour
    expect(page.get_by_label("Theme")).to_have_count(0)  # the menu itself is made by its script


def test_back_to_system_forgets_the_choice(dark_system, live):
    page = dark_system
    page.goto(live.url + "/")
    page.get_by_label("Theme").select_option(label="Light")
    page.get_by_label("Theme").select_option(label="System")
    assert page.evaluate("localStorage.getItem('portal.theme')") is None
    page.reload()
    assert page.evaluate(BACKGROUND) == DARK
    expect(page.get_by_label("Theme")).to_have_value("")


def test_another_tab_follows_a_change_of_theme(dark_system, live):
    first = dark_system
    first.goto(live.url + "/")
    second = first.context.new_page()
    second.goto(live.url + "/")
    first.get_by_label("Theme").select_option(label="Light")
    second.wait_for_function("() => document.documentElement.dataset.theme === 'light'")
    expect(second.get_by_label("Theme")).to_have_value("light")


def test_compact_density_fits_more_headlines_and_is_remembered(page, live):
    page.goto(live.url + "/")
    row_height = "document.querySelectorAll('ol.stories li.story')[3].getBoundingClientRect().height"
    comfortable = page.evaluate(row_height)
    density = page.get_by_role("contentinfo").get_by_label("Density")
    assert density.locator("option").all_inner_texts() == ["Comfortable", "Compact"]
    density.select_option(label="Compact")
    assert page.evaluate(row_height) < comfortable * 0.9
    page.reload()
    expect(page.get_by_label("Density")).to_have_value("compact")
    assert page.evaluate(row_height) < comfortable * 0.9
    assert page.context.cookies() == []


AXE_TARGET_SIZE = """() => axe.run(document, {runOnly: ['target-size']})
  .then(result => ({
    violations: result.violations.flatMap(rule => rule.nodes.map(node => node.target.join(' '))),
    passed: result.passes.flatMap(rule => rule.nodes.map(node => node.target.join(' '))),
  }))"""
SECTION_BOXES = """() => [...document.querySelectorAll('ol.stories .story-section')]
  .map(el => el.getBoundingClientRect()).map(box => [box.width, box.height])"""


@pytest.mark.parametrize("width", [390, 1280])
def test_section_links_above_headlines_are_at_least_24_px_square(browser, live, axe_source, width):
    """WCAG 2.2's target size (2.5.8), as axe measures it and as the boxes are."""
    context = browser.new_context(viewport={"width": width, "height": 800})
    page = context.new_page()
    try:
        page.goto(live.url + "/")
        boxes = page.evaluate(SECTION_BOXES)
        assert len(boxes) >= 20
        assert min(min(box) for box in boxes) >= 24
        page.evaluate(axe_source)
        checked = page.evaluate(AXE_TARGET_SIZE)
        assert checked["violations"] == []
        assert sum(".story-section" in target or "story-kicker" in target for target in checked["passed"]) >= 20
    finally:
        context.close()
