"""New stories while the front page is open: the notice pushed by the list's stream, the insert in
place, no stream while the tab is hidden; and, where the stream is refused, polling instead (each
test has its own server, which polling pages ask every second: LIVE_INTERVAL=1)."""

import re
import threading
import time

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from portal.extensions import db
from portal.models import Article, Author, Section, slugify
from portal.news import operations

from .conftest import serve_demo
from .test_feed_browser import scroll_to_sentinel

ROW_IDS = "els => els.map(e => e.id)"
# The row in the middle of the screen, and where it is.
READING = """() => {
  const row = document.elementFromPoint(window.innerWidth / 2, window.innerHeight / 2).closest('li.story');
  return {id: row.id, top: row.getBoundingClientRect().top};
}"""
HIDE = """() => {
  Object.defineProperty(document, 'visibilityState', {configurable: true, get: () => 'hidden'});
  Object.defineProperty(document, 'hidden', {configurable: true, get: () => true});
  document.dispatchEvent(new Event('visibilitychange'));
}"""
SHOW = """() => {
  delete document.visibilityState;
  delete document.hidden;
  document.dispatchEvent(new Event('visibilitychange'));
}"""


@pytest.fixture
def server(tmp_path):
    server = serve_demo(tmp_path, LIVE_INTERVAL=1)
    yield server
    server.stop()


@pytest.fixture
def polling_server(tmp_path):
    """A server that refuses every stream (429): pages give up on it after three tries and poll."""
    server = serve_demo(tmp_path, LIVE_INTERVAL=1, STREAMS_PER_ADDRESS=0)
    yield server
    server.stop()


def wait_for_polling(page, timeout=10_000):
    with page.expect_request(lambda request: "/live/new" in request.url, timeout=timeout):
        pass


@pytest.fixture
def watched(page):
    """The page, recording script errors and CSP violations (none allowed)."""
    page.context.add_init_script(
        "window.__cspViolations = [];"
        "document.addEventListener('securitypolicyviolation',"
        " e => window.__cspViolations.push(e.violatedDirective + ' ' + e.blockedURI));"
    )
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    assert errors == []
    assert page.evaluate("window.__cspViolations") == []


def publish(server, title, section_slug=None) -> str:
    """Publish a story now, as the newsroom would; returns its row id."""
    with server.app.app_context():
        sections = select(Section).order_by(Section.id)
        if section_slug:
            sections = sections.where(Section.slug == section_slug)
        section = db.session.scalars(sections).first()
        article = Article(title=title, slug=slugify(title), summary="Just in.", body="Just in.",
                          section_id=section.id)
        article.set_authors([db.session.scalars(select(Author).order_by(Author.id)).first()])
        operations.publish(article)
        db.session.commit()
        return f"story-{article.id}"


def row_ids(page):
    return page.eval_on_selector_all("ol.stories li.story", ROW_IDS)


def insert_new_stories(page, expected_text):
    notice = page.locator("#new-stories")
    expect(notice).to_contain_text(expected_text, timeout=5_000)
    notice.get_by_role("link").click()
    expect(notice).to_be_empty()


@pytest.mark.parametrize("anchoring", ["browser", "script"])
def test_new_stories_are_announced_and_inserted_above_without_moving_the_page(watched, server, anchoring):
    page = watched
    page.goto(server.url + "/")
    if anchoring == "script":
        # Without the browser's scroll anchoring (as in Safari), live.js alone keeps the place.
        page.evaluate("document.body.style.overflowAnchor = 'none'")
    shown = row_ids(page)
    page.evaluate("window.scrollTo(0, 1200)")
    reading = page.evaluate(READING)

    fresh = publish(server, "Chipmaker confirms a new fab in the desert")
    notice = page.locator("#new-stories")
    expect(notice).to_contain_text("1 new story", timeout=5_000)
    assert notice.get_attribute("aria-live") == "polite"
    expect(notice.get_by_role("link", name="1 new story", exact=True)).to_be_visible()  # the arrow is not read
    assert page.evaluate(READING) == reading, "the notice itself moves nothing"

    notice.get_by_role("link").click()
    expect(page.locator(f"#{fresh}")).to_have_count(1)
    expect(notice).to_be_empty()
    assert row_ids(page) == [fresh] + shown
    now = page.locator(f"#{reading['id']}").bounding_box()["y"]
    assert abs(now - reading["top"]) <= 3, "the row the reader was on stays put"
    assert page.evaluate("document.activeElement.closest('li.story')?.id") == fresh
    assert page.url == server.url + "/"

    # Counted from the new top now: nothing is offered twice.
    page.wait_for_timeout(2_500)
    assert notice.inner_text() == ""
    second, third = publish(server, "Second story"), publish(server, "Third story")
    insert_new_stories(page, "2 new stories")
    ids = row_ids(page)
    assert ids[:4] == [third, second, fresh, shown[0]]
    assert len(ids) == len(set(ids))
    now = page.locator(f"#{reading['id']}").bounding_box()["y"]
    assert abs(now - reading["top"]) <= 3


def test_at_the_top_of_the_page_new_stories_appear_in_view(watched, server):
    page = watched
    page.goto(server.url + "/")
    fresh = publish(server, "Regulators approve the merger")
    insert_new_stories(page, "1 new story")
    assert page.evaluate("window.scrollY") == 0
    box = page.locator(f"#{fresh}").bounding_box()
    assert 0 <= box["y"] < page.viewport_size["height"]
    assert row_ids(page)[0] == fresh
    # The lead story's style moves to the new top story.
    size = "id => parseFloat(getComputedStyle(document.querySelector('#' + id + ' .story-title')).fontSize)"
    assert page.evaluate(size, fresh) > page.evaluate(size, row_ids(page)[1])


def test_more_batches_after_an_insert_continue_without_duplicates(watched, server):
    page = watched
    page.goto(server.url + "/")
    fresh = publish(server, "Satellite broadband reaches the islands")
    insert_new_stories(page, "1 new story")
    for _ in range(10):
        if page.locator(".feed-end").count():
            break
        rows = page.locator("li.story").count()
        scroll_to_sentinel(page)
        page.wait_for_function("n => document.querySelectorAll('li.story').length > n", arg=rows)
    ids = row_ids(page)
    assert ids == server.feed_order()[: len(ids)]
    assert ids[0] == fresh and len(ids) == len(set(ids))
    # The address still re-renders the list down to the last row (Back returns there).
    assert page.url == f"{server.url}/?through={ids[-1].removeprefix('story-')}"


def test_an_unchanged_notice_is_left_alone_and_a_new_count_replaces_it(watched, polling_server):
    page, server = watched, polling_server
    answers = []
    page.on("response", lambda response: answers.append(response.status) if "/live/new" in response.url else None)
    page.goto(server.url + "/")
    wait_for_polling(page)
    publish(server, "First of two")
    notice = page.locator("#new-stories")
    expect(notice).to_contain_text("1 new story", timeout=5_000)
    # Screen readers are told once: later checks get 304 and the notice is not swapped again.
    page.evaluate("document.querySelector('#new-stories a').dataset.seen = 'yes'")
    answers.clear()
    page.wait_for_timeout(2_500)
    assert answers and set(answers) == {304}
    assert notice.locator("a[data-seen]").count() == 1
    publish(server, "Second of two")
    expect(notice).to_contain_text("2 new stories", timeout=5_000)
    assert notice.get_by_role("link").count() == 1


def test_a_hidden_tab_does_not_poll(watched, polling_server):
    page, server = watched, polling_server
    polls = []
    page.on("request", lambda request: polls.append(request.url) if "/live/new" in request.url else None)
    page.goto(server.url + "/")
    wait_for_polling(page)
    page.wait_for_timeout(2_500)
    assert len(polls) >= 2, "a visible tab checks every second"

    page.evaluate(HIDE)
    page.wait_for_timeout(300)  # a check already under way
    polls.clear()
    fresh = publish(server, "Published while nobody was looking")
    page.wait_for_timeout(3_500)
    assert polls == []
    assert page.locator("#new-stories").inner_text() == ""

    # Back in view: a check at once, and the notice.
    with page.expect_request(lambda request: "/live/new" in request.url, timeout=900):
        page.evaluate(SHOW)
    expect(page.locator("#new-stories")).to_contain_text("1 new story", timeout=3_000)
    insert_new_stories(page, "1 new story")
    assert row_ids(page)[0] == fresh


def test_a_hidden_tab_holds_no_stream_and_hears_the_count_when_shown(watched, server):
    page = watched
    streams = server.app.extensions["portal.streams"]
    page.goto(server.url + "/")
    page.wait_for_function("() => document.querySelector('.live-stream[data-sse-connect]')")
    assert page.locator("#new-stories").inner_text() == ""
    page.evaluate(HIDE)
    page.wait_for_timeout(300)
    assert page.locator(".live-stream[data-sse-connect]").count() == 0
    fresh = publish(server, "Published while nobody was looking")
    # The server lets the closed stream go at its next write: the story's notice, or a heartbeat.
    deadline = time.monotonic() + 5
    while streams.open and time.monotonic() < deadline:
        time.sleep(0.1)
    assert streams.open == 0
    page.evaluate(SHOW)
    insert_new_stories(page, "1 new story")
    assert row_ids(page)[0] == fresh
    expect(page.locator(".live-stream[data-sse-connect]")).to_have_attribute(
        "data-sse-connect", re.compile(rf"/live/stream\?newest={fresh.removeprefix('story-')}$"))


def test_after_the_network_comes_back_the_count_is_right(watched, server):
    page = watched
    page.goto(server.url + "/")
    page.wait_for_function("() => document.querySelector('.live-stream[data-sse-connect]')")
    page.context.set_offline(True)
    first = publish(server, "Published while the reader was offline")
    second = publish(server, "And another")
    page.wait_for_timeout(1_000)
    page.context.set_offline(False)
    # The browser reconnects by itself (after the stream's retry, 1 to 5 s), and hears the count
    # at once.
    expect(page.locator("#new-stories")).to_contain_text("2 new stories", timeout=12_000)
    insert_new_stories(page, "2 new stories")
    assert row_ids(page)[:2] == [second, first]


def test_a_section_page_is_told_only_of_its_own_stories(watched, server):
    page = watched
    with server.app.app_context():
        slugs = db.session.scalars(select(Section.slug).order_by(Section.id)).all()
    mine, other = slugs[1], slugs[0]
    page.goto(f"{server.url}/sections/{mine}")
    publish(server, "Elsewhere on the site", other)
    page.wait_for_timeout(2_500)
    assert page.locator("#new-stories").inner_text() == ""
    fresh = publish(server, "In this section", mine)
    insert_new_stories(page, "1 new story")
    assert row_ids(page)[0] == fresh
    assert page.url == f"{server.url}/sections/{mine}"


@pytest.fixture(params=["database", "redis"])
def importing_server(request, tmp_path):
    """A server told of new stories by its once-a-second look at the database, or through Redis."""
    config = {"LIVE_INTERVAL": 1}
    if request.param == "redis":
        config["REDIS_URL"] = request.getfixturevalue("redis_url")
    server = serve_demo(tmp_path, **config)
    yield server
    server.stop()


def import_feed(server, feed) -> int:
    """`portal import-feed FEED`, as the desk runs it; returns how many stories it added."""
    result = server.app.test_cli_runner().invoke(args=["portal", "import-feed", str(feed)])
    assert result.exit_code == 0, result.output
    return int(re.search(r": (\d+) added", result.output).group(1))


def test_stories_imported_while_the_front_page_is_open_are_announced_and_shown_once(importing_server, watched):
    """The desk's feed import publishes roundups; a reader with the front page open sees them."""
    from pathlib import Path

    from portal.push.notifier import CHANNEL

    page, server = watched, importing_server
    redis_url = server.app.config["REDIS_URL"]
    if redis_url:
        import redis

        told = redis.Redis.from_url(redis_url).pubsub(ignore_subscribe_messages=True)
        told.subscribe(CHANNEL)
    page.goto(server.url + "/")
    page.wait_for_function("() => document.querySelector('.live-stream[data-sse-connect]')")
    shown = row_ids(page)
    feed = Path(__file__).resolve().parent.parent / "fixtures" / "feeds" / "ledger_review_rss.xml"
    added = import_feed(server, feed)
    assert added >= 2
    insert_new_stories(page, f"{added} new stories")
    ids = row_ids(page)
    assert len(ids) == len(set(ids)) == len(shown) + added
    assert ids[added:] == shown
    kinds = page.locator("ol.stories li.story").nth(0).locator(".kind-roundup")
    expect(kinds).to_contain_text("Roundup")
    if redis_url:
        # The import's commit told every process through Redis: the new stories' ids.
        messages = [told.get_message(timeout=0.2) for _ in range(added + 2)]
        told.close()
        told_of = {f"story-{i.decode()}" for m in messages if m for i in m["data"].split(b",")}
        assert told_of == set(ids[:added])
    # Importing the same feed again adds nothing, so nothing more is announced.
    assert import_feed(server, feed) == 0
    page.wait_for_timeout(2_500)
    assert page.locator("#new-stories").inner_text() == ""


@pytest.fixture
def silent_server(tmp_path):
    """A server whose streams answer and then say nothing, as behind a proxy that buffers them."""
    server = serve_demo(tmp_path, LIVE_INTERVAL=1)
    stopping = threading.Event()
    pages = server.app.wsgi_app

    def silent_streams(environ, start_response):
        if environ["PATH_INFO"] != "/live/stream":
            return pages(environ, start_response)
        start_response("200 OK", [("Content-Type", "text/event-stream"), ("Cache-Control", "no-cache")])

        def nothing():
            yield b""  # the headers go out; then not a byte
            while not stopping.wait(0.2):
                yield b""
        return nothing()

    server.app.wsgi_app = silent_streams
    yield server
    stopping.set()
    server.stop()


def test_with_the_stream_silent_the_page_learns_of_new_stories_by_polling(watched, silent_server):
    page, server = watched, silent_server
    polls = []
    page.on("request", lambda request: polls.append(request.url) if "/live/new" in request.url else None)
    page.goto(server.url + "/")
    page.wait_for_function("() => document.querySelector('.live-stream[data-sse-connect]')")
    fresh = publish(server, "Heard of by asking")
    page.wait_for_timeout(5_000)
    assert polls == [] and page.locator("#new-stories").inner_text() == "", "the stream is still trusted"
    # 20 s without a word since connecting: the page lets the stream go and asks instead.
    wait_for_polling(page, timeout=20_000)
    expect(page.locator(".live-stream[data-sse-connect]")).to_have_count(0)
    insert_new_stories(page, "1 new story")
    assert row_ids(page)[0] == fresh
