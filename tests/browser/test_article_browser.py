"""The article page in a real browser: the reader's local time and the share block."""

import threading

import pytest
from werkzeug.serving import make_server


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
    share_url = page.locator("a.share-url").inner_text()
    assert share_url == live.url + "/s/1"
    page.get_by_role("button", name="Copy link").click()
    page.get_by_text("Link copied.").wait_for()
    assert page.evaluate("navigator.clipboard.readText()") == share_url

    page.get_by_text("Embed the QR code on your site").click()
    page.get_by_role("button", name="Copy HTML").click()
    page.get_by_text("HTML copied.").wait_for()
    assert page.evaluate("navigator.clipboard.readText()") == page.locator("textarea.embed-html").input_value()
    context.close()


def test_share_controls_are_absent_without_javascript(browser, article_url):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(article_url)
    assert page.locator("a.share-url").inner_text().endswith("/s/1")
    assert page.locator(".share button").count() == 0
    context.close()


def test_the_whole_short_link_shows_on_a_narrow_screen(browser, article_url):
    context = browser.new_context(viewport={"width": 320, "height": 640})
    page = context.new_page()
    page.goto(article_url)
    link = page.locator("a.share-url")
    assert page.evaluate("el => el.scrollWidth <= el.clientWidth", link.element_handle())
    assert link.bounding_box()["x"] + link.bounding_box()["width"] <= 320
    context.close()


def decode_screenshot(png: bytes) -> list[str]:
    import io

    import zxingcpp
    from PIL import Image

    return [r.text for r in zxingcpp.read_barcodes(Image.open(io.BytesIO(png)).convert("L"))]


def test_the_qr_code_on_the_page_opens_the_story_when_scanned(page, live, article_url):
    page.goto(article_url)
    code = page.locator(".share-qr img")
    code.scroll_into_view_if_needed()
    assert page.evaluate("img => img.complete && img.naturalWidth > 0", code.element_handle())
    scanned = decode_screenshot(code.screenshot())
    assert scanned == [live.url + "/s/1"]
    page.goto(scanned[0])
    assert page.url.startswith(live.url + "/articles/1/")
    assert page.locator("h1").is_visible()


def test_the_svg_renders_and_decodes_with_every_colour_option(page, live):
    page.goto(f"{live.url}/articles/1/qr.svg?size=400&dark=%23003366&light=%23fffbe6&border=2&ecc=H")
    scanned = decode_screenshot(page.locator("svg").screenshot())
    assert scanned == [live.url + "/s/1"]


@pytest.mark.parametrize("size", [64, 100, 257])
def test_the_svg_is_drawn_the_size_asked_or_two_pixels_a_module_and_decodes(page, live, size):
    """The share URL (http://127.0.0.1:<port>/s/1, at most 26 bytes) is a version 2 code, 33
    modules with its border: 64 px is below two pixels a module, so it is drawn 66 wide; 100 and
    257 are not whole pixels a module, which the browser draws with crisp edges."""
    page.goto(f"{live.url}/articles/1/qr.svg?size={size}")
    code = page.locator("svg")
    box = code.bounding_box()
    assert (box["width"], box["height"]) == (max(size, 66),) * 2
    assert decode_screenshot(code.screenshot()) == [live.url + "/s/1"]


def test_another_site_can_embed_the_code(browser, live):
    """An <img> on another origin's page loads the code, CORS-enabled: no CORP block, ACAO *."""
    embed = f'<!doctype html><img id="qr" src="{live.url}/articles/1/qr.png?size=240" crossorigin="anonymous" alt="">'

    def other_site(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/html")])
        return [embed.encode()]

    # A real second server on the loopback: another origin, in the same address space.
    server = make_server("127.0.0.1", 0, other_site)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    context = browser.new_context()
    page = context.new_page()
    try:
        page.goto(f"http://127.0.0.1:{server.server_port}/")
        page.wait_for_function("document.getElementById('qr').complete")
        assert page.evaluate("document.getElementById('qr').naturalWidth") > 0
    finally:
        context.close()
        server.shutdown()


@pytest.fixture(scope="module")
def linked_story(live):
    """A published story whose body links out, as the desk renders it."""
    from portal.desk.markdown import render
    from portal.extensions import db
    from portal.models import Article, Section
    from portal.news import operations

    source = "Read [the regulator's report](https://regulator.example/report-2026) first.\n\nThen the rest."
    with live.app.app_context():
        html, text = render(source)
        article = Article(title="A story with a link", slug="a-story-with-a-link", summary="It links out.",
                          body=text, body_source=source, body_html=html,
                          section_id=db.session.scalars(db.select(Section.id)).first())
        operations.publish(article)
        db.session.commit()
        return f"{live.url}/articles/{article.id}/{article.slug}"


HIDDEN_IN_PRINT = [".masthead-search", ".sections-nav", ".account-nav", ".share", ".bookmark-button",
                   ".site-footer", ".more"]


def display(page, selector) -> str:
    return page.eval_on_selector(selector, "el => getComputedStyle(el).display")


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_printing_an_article_leaves_the_story_in_black_on_white(browser, linked_story, scheme):
    context = browser.new_context(color_scheme=scheme)
    page = context.new_page()
    page.goto(linked_story)
    assert all(display(page, selector) != "none" for selector in HIDDEN_IN_PRINT), "all there on screen"

    page.emulate_media(media="print", color_scheme=scheme)
    for selector in HIDDEN_IN_PRINT:
        assert display(page, selector) == "none", selector
    for selector in (".article-title", ".byline", ".article-body", ".brand"):
        assert page.locator(selector).is_visible(), selector
    colours = page.eval_on_selector(".article-body p", """p => [getComputedStyle(p).color,
        getComputedStyle(document.body).backgroundColor, getComputedStyle(document.documentElement).backgroundColor]""")
    assert colours == ["rgb(0, 0, 0)", "rgb(255, 255, 255)", "rgb(255, 255, 255)"]
    # The body's link is followed by its address, which paper can't follow.
    after = page.eval_on_selector(".article-body a", "a => getComputedStyle(a, '::after').content")
    assert after == '" (https://regulator.example/report-2026)"'
    context.close()


def test_printing_a_list_leaves_out_the_live_notice(browser, live):
    context = browser.new_context()
    page = context.new_page()
    page.goto(live.url + "/")
    assert display(page, ".live-stream") != "none"
    page.emulate_media(media="print")
    assert display(page, ".live-stream") == "none"
    assert page.locator("li.story").first.is_visible()
    context.close()
