"""Catch-up and read state in a real browser (static/js/reading.js): stories opened show as read,
a list marks where it stood at the last visit, and a signed-in reader's both follow them to another
browser once this one's beacon has gone."""

import itertools
import json
import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import StoryRead, User

from .conftest import serve_demo
from .test_feed_browser import load_batches
from .test_live_browser import insert_new_stories, publish

PASSPHRASE = "a long passphrase for reading"
_emails = (f"reader{n}@example.com" for n in itertools.count(1))
ERRORS_AND_CSP = (
    "window.__cspViolations = [];"
    "document.addEventListener('securitypolicyviolation',"
    " e => window.__cspViolations.push(e.violatedDirective + ' ' + e.blockedURI));"
)


@pytest.fixture
def server(tmp_path):
    server = serve_demo(tmp_path)
    yield server
    server.stop()


@pytest.fixture
def new_context(browser):
    """Browsers of their own (each its own localStorage), checked for script errors and CSP
    violations when the test ends."""
    made = []

    def make(clock=False):
        context = browser.new_context(viewport={"width": 1280, "height": 800})
        context.add_init_script(ERRORS_AND_CSP)
        page = context.new_page()
        page.set_default_timeout(10_000)
        errors = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        if clock:
            page.clock.install()
        made.append((context, page, errors))
        return page

    yield make
    for context, page, errors in made:
        assert errors == []
        assert page.evaluate("window.__cspViolations") == []
        context.close()


def headline_links(page):
    return page.locator("ol.stories li.story .story-title a")


def open_story_and_come_back(page, index):
    """Open the list's story at `index` from its headline, then go back; its title."""
    link = headline_links(page).nth(index)
    title = link.inner_text()
    link.click()
    page.wait_for_url("**/articles/**")
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    page.go_back()
    page.locator("ol.stories li.story").first.wait_for()
    return title


def headline_colour(page, index):
    return headline_links(page).nth(index).evaluate("a => getComputedStyle(a).color")


def divider(page):
    return page.get_by_role("separator", name="Since your last visit")


def row_with_divider(page):
    return page.locator("ol.stories li.story:has(.since-divider)")


def test_a_story_opened_shows_as_read_when_the_reader_comes_back(new_context, server):
    page = new_context()
    page.goto(server.url + "/")
    unread_colour = headline_colour(page, 2)
    title = open_story_and_come_back(page, 1)

    read = page.locator("ol.stories li.story").nth(1)
    expect(read).to_have_class(re.compile(r"\bis-read\b"))
    expect(read.get_by_role("link", name=f"Read: {title}")).to_be_visible()
    assert headline_colour(page, 1) != unread_colour, "the read headline is dimmed"
    # The others are not.
    for index in (0, 2, 3):
        row = page.locator("ol.stories li.story").nth(index)
        expect(row).not_to_have_class(re.compile(r"\bis-read\b"))
        assert not row.locator(".story-title a").inner_text().startswith("Read")
    assert headline_colour(page, 2) == unread_colour
    # Read on any list it is on, and after a reload (nothing of it on the server: no cookie).
    page.reload()
    expect(page.get_by_role("link", name=f"Read: {title}")).to_be_visible()
    assert page.context.cookies() == []


def test_the_divider_sits_above_the_old_top_story_only_when_there_are_new_ones(new_context, server):
    page = new_context()
    page.goto(server.url + "/")
    expect(page.locator("ol.stories li.story").first).to_be_visible()
    expect(divider(page)).to_have_count(0)  # a first visit
    old_top = page.locator("ol.stories li.story").first.get_attribute("id")

    page.reload()
    expect(page.locator("ol.stories li.story").first).to_be_visible()
    expect(divider(page)).to_have_count(0)  # nothing new

    new = [publish(server, "Chip shortage eases"), publish(server, "Satellite launch delayed")]
    page.reload()
    expect(divider(page)).to_have_count(1)
    expect(divider(page)).to_have_text("Since your last visit")
    ids = page.eval_on_selector_all("ol.stories li.story", "rows => rows.map(r => r.id)")
    assert ids[:3] == [new[1], new[0], old_top]
    assert row_with_divider(page).get_attribute("id") == old_top
    # Between the new stories and the old top one, on screen too.
    above = page.locator(f"#{new[0]}").bounding_box()
    line = divider(page).bounding_box()
    headline = page.locator(f"#{old_top} .story-title").bounding_box()
    assert above["y"] + above["height"] <= line["y"] < headline["y"]

    page.reload()
    expect(page.locator("ol.stories li.story").first).to_be_visible()
    expect(divider(page)).to_have_count(0)  # that visit was the last one


def test_each_list_has_its_own_last_visit(new_context, server):
    page = new_context()
    page.goto(server.url + "/")
    page.get_by_role("navigation", name="Sections").get_by_role("link").first.click()
    page.wait_for_url("**/sections/**")
    section = page.url.rsplit("/", 1)[1]
    section_top = page.locator("ol.stories li.story").first.get_attribute("id")
    publish(server, "Only on the front page", section_slug=_other_section(server, section))
    page.reload()
    expect(page.locator("ol.stories li.story").first).to_have_attribute("id", section_top)
    expect(divider(page)).to_have_count(0)
    page.goto(server.url + "/")
    page.reload()  # the browser may keep a public page 10 s: ask the server
    expect(divider(page)).to_have_count(1)
    expect(page.locator("ol.stories li.story").first).to_have_id(re.compile(r"story-\d+"))


def test_rows_that_scrolling_adds_get_their_marks_and_the_divider(new_context, server):
    page = new_context()
    old_top, deep = server.feed_order()[0], server.feed_order()[40]
    with server.app.app_context():
        from portal.models import Article

        deep_story = db.session.get(Article, int(deep.removeprefix("story-")))
        deep_url = f"/articles/{deep_story.id}/{deep_story.slug}"
    page.goto(server.url + deep_url)  # a story opened from a link elsewhere
    page.goto(server.url + "/")
    new = [publish(server, f"Busy news hour, story {n}") for n in range(31)]
    page.reload()
    # The old top story is in the second batch now: no divider until it arrives.
    expect(page.locator("ol.stories li.story")).to_have_count(30)
    expect(divider(page)).to_have_count(0)
    load_batches(page, until_rows=90)
    expect(divider(page)).to_have_count(1)
    assert row_with_divider(page).get_attribute("id") == old_top
    assert page.locator("ol.stories li.story").nth(31).get_attribute("id") == old_top
    assert page.locator("ol.stories li.story").nth(30).get_attribute("id") == new[0]
    expect(page.locator(f"#{deep}")).to_have_class(re.compile(r"\bis-read\b"))
    expect(page.locator("ol.stories li.story.is-read")).to_have_count(1)


def test_new_stories_put_on_top_while_the_list_is_open_count_as_seen(new_context, server):
    page = new_context()
    page.goto(server.url + "/")
    title = open_story_and_come_back(page, 2)
    fresh = publish(server, "Announced while the reader looks")
    insert_new_stories(page, "1 new story")
    expect(page.locator("ol.stories li.story").first).to_have_id(fresh)
    expect(page.locator(f"#{fresh}")).not_to_have_class(re.compile(r"\bis-read\b"))
    expect(page.get_by_role("link", name=f"Read: {title}")).to_be_visible()
    expect(divider(page)).to_have_count(0)
    page.reload()  # the list as the reader last saw it: the new story on top
    expect(page.locator("ol.stories li.story").first).to_have_id(fresh)
    expect(divider(page)).to_have_count(0)


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_read_rows_and_the_divider_have_no_serious_or_critical_violations(new_context, server, axe_source, theme):
    from .test_accessibility_browser import AXE_RUN, RULES

    page = new_context()
    page.context.add_init_script(f"localStorage.setItem('portal.theme', '{theme}')")
    page.goto(server.url + "/")
    open_story_and_come_back(page, 1)
    publish(server, "Fresh from the newsroom")
    page.reload()
    expect(divider(page)).to_have_count(1)
    expect(page.locator("ol.stories li.story.is-read")).to_have_count(1)
    page.evaluate(axe_source)
    assert page.evaluate(AXE_RUN, RULES) == []


def test_without_javascript_a_signed_in_readers_read_stories_are_dimmed(browser, server):
    from portal.reading.operations import record_reads

    page_with_js = browser.new_page()
    email = register(page_with_js, server)
    page_with_js.close()
    read = server.feed_order()[1]
    with server.app.app_context():
        record_reads(db.session.scalar(select(User).where(User.email == email)), [int(read.removeprefix("story-"))])
        db.session.commit()
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    sign_in(page, server, email)
    rows = page.locator("ol.stories li.story")
    expect(rows.nth(1)).to_have_id(read)
    dimmed = rows.nth(1).locator(".story-title a").evaluate("a => getComputedStyle(a).color")
    plain = rows.nth(2).locator(".story-title a").evaluate("a => getComputedStyle(a).color")
    assert dimmed != plain
    context.close()


def _other_section(server, slug):
    from portal.models import Section

    with server.app.app_context():
        return db.session.scalar(select(Section.slug).where(Section.slug != slug).order_by(Section.id))


def test_an_anonymous_browser_keeps_the_last_2000_stories_read(new_context, server):
    page = new_context()
    page.goto(server.url + "/")
    # As if 2,000 stories had been opened before (ids no story has).
    page.evaluate("""() => localStorage.setItem('portal.reading', JSON.stringify(
        {read: Array.from({length: 2000}, (_, i) => String(900000 + i)), visits: {}}))""")
    open_story_and_come_back(page, 0)
    kept = json.loads(page.evaluate("localStorage.getItem('portal.reading')"))["read"]
    opened = page.locator("ol.stories li.story").first.get_attribute("id").removeprefix("story-")
    assert len(kept) == 2000
    assert kept[-1] == opened
    assert kept[0] == "900001"  # the oldest went
    expect(page.locator("ol.stories li.story").first).to_have_class(re.compile(r"\bis-read\b"))


def register(page, server):
    email = next(_emails)
    page.goto(server.url + "/register")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSPHRASE)
    page.get_by_label("Repeat the password").fill(PASSPHRASE)
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url(server.url + "/")
    return email


def sign_in(page, server, email):
    page.goto(server.url + "/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSPHRASE)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(server.url + "/")


def reads_kept(server, email) -> int:
    with server.app.app_context():
        return db.session.scalar(select(func.count()).select_from(StoryRead).join(User).where(User.email == email))


def test_a_signed_in_readers_reading_follows_them_to_another_browser(new_context, server):
    first = new_context(clock=True)
    email = register(first, server)  # the front page after registering: a visit, sent at once
    old_top = first.locator("ol.stories li.story").first.get_attribute("id")
    title = open_story_and_come_back(first, 2)
    expect(first.get_by_role("link", name=f"Read: {title}")).to_be_visible()
    assert reads_kept(server, email) == 0  # a beacon went a moment ago: this waits a minute

    with first.expect_request(lambda request: request.url.endswith("/reading/beacon")) as sent:
        first.clock.run_for("01:01")
    assert sent.value.method == "POST"
    server_wait(lambda: reads_kept(server, email) == 1)

    new = publish(server, "Published between devices")
    second = new_context()
    sign_in(second, server, email)
    expect(second.get_by_role("link", name=f"Read: {title}")).to_be_visible()
    expect(second.locator("ol.stories li.story.is-read")).to_have_count(1)
    expect(divider(second)).to_have_count(1)
    assert row_with_divider(second).get_attribute("id") == old_top
    assert second.locator("ol.stories li.story").first.get_attribute("id") == new
    # Nothing of it in this browser's anonymous storage.
    assert second.evaluate("localStorage.getItem('portal.reading')") is None


def server_wait(condition, timeout=5.0):
    import time

    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "the server never got it"
        time.sleep(0.05)


def test_clearing_the_history_from_the_account_page(new_context, server):
    page = new_context(clock=True)
    email = register(page, server)
    title = open_story_and_come_back(page, 0)
    with page.expect_request(lambda request: request.url.endswith("/reading/beacon")):
        page.clock.run_for("01:01")
    server_wait(lambda: reads_kept(server, email) == 1)

    page.get_by_role("link", name="Account").click()
    page.get_by_role("button", name="Clear reading history").click()
    expect(page.get_by_role("status")).to_contain_text("Your reading history is cleared: 1 story")
    assert reads_kept(server, email) == 0
    page.goto(server.url + "/")
    expect(page.locator("ol.stories li.story").first).to_be_visible()
    expect(page.get_by_role("link", name=f"Read: {title}")).to_have_count(0)
    expect(page.locator("ol.stories li.story.is-read")).to_have_count(0)
