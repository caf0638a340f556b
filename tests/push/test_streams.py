"""/live/stream: the notice of an open list pushed as server-sent events, the same bytes for every
reader, no cookie, within a couple of seconds of a publication; bounded per address."""

import time
from contextlib import contextmanager

import pytest

from ..browser.conftest import LiveServer
from ..conftest import log_in, make_app
from ..helpers import page_soup
from ..web.test_metrics import scrape, value
from .conftest import EventStream


@pytest.fixture
def newsroom(live_app, factory_for):
    factory = factory_for(live_app)
    factory.security = factory.section("Security")
    factory.ai = factory.section("AI")
    factory.first = factory.story("Already on the page", section=factory.security, minutes_ago=5)
    return factory


def notice_text(html: str) -> str:
    return page_soup(html.encode()).select_one(".new-stories-button").get_text(" ", strip=True)


def test_a_publication_reaches_an_open_front_page_within_seconds(newsroom, open_stream):
    stream = open_stream(f"newest={newsroom.first.id}")
    assert stream.response.status == 200
    headers = dict(stream.response.getheaders())
    assert headers["Content-Type"] == "text/event-stream; charset=utf-8"
    assert headers["Cache-Control"] == "no-cache" and headers["X-Accel-Buffering"] == "no"
    assert "Set-Cookie" not in headers and "Content-Encoding" not in headers
    first = stream.next_message(5)
    assert 1000 <= int(first["retry"]) <= 5000  # reconnections spread out
    assert first["event"] == "ready"
    assert stream.next_notice(1.5) is None  # nothing new: nothing sent

    story = newsroom.story("Pushed, not polled", section=newsroom.ai)
    notice = stream.next_notice(4)
    assert notice_text(notice) == "↑ 1 new story"
    assert f'hx-get="/live/stories?newest={newsroom.first.id}"' in notice
    newsroom.story("And another", section=newsroom.ai)
    assert notice_text(stream.next_notice(4)) == "↑ 2 new stories"
    # A page opened since, with the new story on top, hears of nothing.
    later = open_stream(f"newest={story.id + 1}")
    later.next_message(5)
    assert later.next_notice(1.5) is None


def test_on_connect_the_current_notice_comes_at_once_and_is_the_same_for_everyone(live_app, newsroom, open_stream):
    newsroom.story("Newer than the page")
    # One reader anonymous, the other signed in (remembered) and sending their cookies.
    signed_in = live_app.test_client()
    assert log_in(signed_in, newsroom.user().email, remember=True).status_code == 303
    cookies = "; ".join(f"{c.key}={c.value}" for c in (signed_in.get_cookie("session"),
                                                       signed_in.get_cookie("remember_token")))
    one = open_stream(f"newest={newsroom.first.id}")
    two = open_stream(f"newest={newsroom.first.id}", Cookie=cookies)
    assert "Set-Cookie" not in dict(two.response.getheaders())
    notices = [stream.next_notice(4) for stream in (one, two)]
    assert notice_text(notices[0]) == "↑ 1 new story"
    assert notices[0] == notices[1]
    assert one.raw.split(b"\n\n", 1)[1] == two.raw.split(b"\n\n", 1)[1]  # byte for byte, after retry


def test_a_section_stream_hears_only_of_its_section(newsroom, open_stream):
    stream = open_stream(f"section=security&newest={newsroom.first.id}")
    stream.next_message(5)
    newsroom.story("Not security", section=newsroom.ai)
    assert stream.next_notice(2.5) is None
    newsroom.story("Security news", section=newsroom.security)
    notice = stream.next_notice(4)
    assert notice_text(notice) == "↑ 1 new story"
    assert "section=security" in notice


@pytest.mark.parametrize(("query", "status"), [("section=nowhere", 404), ("newest=abc", 400),
                                               ("newest=-1", 400)])
def test_a_stream_of_nothing_is_refused_plainly(newsroom, open_stream, query, status):
    stream = open_stream(query)
    assert stream.response.status == status
    assert stream.response.getheader("Content-Type") == "text/plain; charset=utf-8"


def test_one_address_holds_a_bounded_number_of_streams(live_app, newsroom, open_stream):
    live_app.config.update(STREAMS_PER_ADDRESS=2, STREAM_HEARTBEAT=0.2)
    held = [open_stream(f"newest={newsroom.first.id}") for _ in range(2)]
    assert [stream.response.status for stream in held] == [200, 200]
    refused = open_stream(f"newest={newsroom.first.id}")
    assert refused.response.status == 429
    held[0].close()
    time.sleep(1)  # the server notices the closed stream at its next write (a heartbeat)
    assert open_stream(f"newest={newsroom.first.id}").response.status == 200


@contextmanager
def watching_the_front_page(app, factory):
    """A live server for `app`, and a stream of its front page open from its one story."""
    server = LiveServer(app)
    try:
        first = factory.story("Already on the page", minutes_ago=5)
        stream = EventStream(server, f"newest={first.id}")
        assert stream.next_message(5)["event"] == "ready"
        yield stream
        stream.close()
    finally:
        server.stop()


def test_with_redis_a_publication_is_pushed_at_once(tmp_path, redis_url, factory_for):
    app = make_app(tmp_path, TESTING=False, REDIS_URL=redis_url)
    factory = factory_for(app)
    with watching_the_front_page(app, factory) as stream:
        time.sleep(0.5)  # subscribed by now
        started = time.monotonic()
        factory.story("Told through Redis")
        assert notice_text(stream.next_notice(4)) == "↑ 1 new story"
        # Faster than the notifier's own look at the database, which Redis makes every 5 s.
        assert time.monotonic() - started < 2


def test_with_redis_away_the_database_is_looked_at_each_second(tmp_path, factory_for, caplog):
    app = make_app(tmp_path, TESTING=False, REDIS_URL="redis://127.0.0.1:9/0")  # nothing listens there
    factory = factory_for(app)
    with watching_the_front_page(app, factory) as stream:
        factory.story("Told all the same")
        assert notice_text(stream.next_notice(4)) == "↑ 1 new story"
    assert "push: cannot subscribe on Redis" in caplog.text
    assert "push: could not tell Redis of a change" in caplog.text


def test_operators_see_the_open_streams_and_how_late_the_news_reached_them(live_app, newsroom, open_stream):
    client = live_app.test_client()
    assert value(scrape(client), "portal_open_streams") == 0
    stream = open_stream(f"newest={newsroom.first.id}")
    assert stream.next_message(5)["event"] == "ready"
    assert value(scrape(client), "portal_open_streams") == 1
    newsroom.story("Counted late by at most a second or two", minutes_ago=0)
    assert stream.next_notice(4) is not None
    assert 0 < value(scrape(client), "portal_stream_notifier_lag_seconds") < 3
    stream.close()
