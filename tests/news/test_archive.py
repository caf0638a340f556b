"""The date archive: /archive/<yyyy>/<mm>/<dd> lists one day's stories, in the newsroom's day."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from portal.extensions import db
from portal.models import Article
from portal.news import operations

from ..conftest import log_in
from ..helpers import next_link, soup, story_ids

HX = {"HX-Request": "true"}
BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture
def berlin(app):
    """The newsroom in Berlin: its days start at 23:00 UTC in winter, 22:00 UTC in summer."""
    app.config["TIMEZONE"], app.config["TZINFO"] = "Europe/Berlin", BERLIN
    return app


def at(*parts) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def test_a_day_lists_its_stories_in_the_newsrooms_day_newest_first(berlin, client, factory):
    # 10 March 2025 in Berlin (UTC+1): from 9 March 23:00 UTC until 10 March 23:00 UTC.
    factory.story("Late on the 9th", published_at=at(2025, 3, 9, 22, 59))
    first = factory.story("Just after midnight", published_at=at(2025, 3, 9, 23, 0))
    noon = factory.story("At noon", published_at=at(2025, 3, 10, 11, 0))
    last = factory.story("Just before midnight", published_at=at(2025, 3, 10, 22, 59))
    factory.story("Early on the 11th", published_at=at(2025, 3, 10, 23, 0))
    response = client.get("/archive/2025/03/10")
    assert response.status_code == 200
    page = soup(response)
    assert story_ids(response) == [last.id, noon.id, first.id]
    assert page.select_one("h1").get_text() == "Monday 10 March 2025"
    assert page.select_one("title").get_text().startswith("Monday 10 March 2025 · ")
    assert page.select_one(".feed-end").get_text() == "That’s every story of Monday 10 March 2025."


def test_a_day_has_neither_the_live_notice_nor_the_top_story(app, client, factory):
    story = factory.story("The top story", published_at=at(2025, 6, 2, 12, 0))
    with app.app_context():
        operations.make_top_story(db.session.get(Article, story.id))
        db.session.commit()
    front = soup(client.get("/"))
    assert front.select_one("#new-stories") is not None and front.select_one(".top-story") is not None
    day = soup(client.get("/archive/2025/06/02"))
    assert day.select_one("#new-stories") is None and day.select_one(".top-story") is None
    assert story_ids(client.get("/archive/2025/06/02")) == [story.id]  # listed like any other


def test_a_day_that_changes_the_clocks_is_its_own_23_hours(berlin, client, factory):
    # 30 March 2025: Berlin goes from UTC+1 to UTC+2, so the day ends at 21:59:59 UTC.
    inside = factory.story("Before midnight, summer time", published_at=at(2025, 3, 30, 21, 59))
    factory.story("After midnight, summer time", published_at=at(2025, 3, 30, 22, 0))
    assert story_ids(client.get("/archive/2025/03/30")) == [inside.id]


def test_a_day_pages_like_the_feed_until_its_end(app, client, factory):
    app.config["FEED_PAGE_SIZE"] = 4
    day = at(2025, 6, 2, 0, 0)
    made = [factory.story(f"Story {n}", published_at=day + timedelta(minutes=10 * (20 - n))).id for n in range(10)]
    factory.story("The day after", published_at=at(2025, 6, 3, 0, 0))
    url, seen = "/archive/2025/06/02", []
    for _ in range(5):
        response = client.get(url)
        seen.append(story_ids(response))
        url = next_link(response)
        if url is None:
            break
        assert url.startswith("/archive/2025/06/02?after=")
    assert seen == [made[0:4], made[4:8], made[8:10]]
    assert soup(response).select_one(".feed-more") is None
    assert soup(response).select_one(".feed-end").get_text() == "That’s every story of Monday 2 June 2025."

    # Back to the list: ?through= shows the day from its top down to that story.
    assert story_ids(client.get(f"/archive/2025/06/02?through={made[6]}")) == made[:7]


def test_the_next_batch_is_the_fragment_for_htmx_and_a_page_otherwise(app, client, factory):
    app.config["FEED_PAGE_SIZE"] = 3
    day = at(2025, 6, 2, 8, 0)
    made = [factory.story(published_at=day - timedelta(minutes=n)).id for n in range(7)]
    url = next_link(client.get("/archive/2025/06/02"))
    assert url == f"/archive/2025/06/02?after={made[2]}"

    fragment = client.get(url, headers=HX)
    text = fragment.get_data(as_text=True)
    assert "<html" not in text and "<body" not in text
    assert story_ids(fragment) == made[3:6]
    sentinel = soup(fragment).select_one(".feed-more")
    assert sentinel["hx-get"] == f"/archive/2025/06/02?after={made[5]}"
    assert sentinel["hx-trigger"] == "intersect once"
    assert "HX-Request" in fragment.headers["Vary"]
    assert fragment.headers["HX-Replace-Url"] == f"/archive/2025/06/02?through={made[5]}"

    full = client.get(url)
    assert "<html" in full.get_data(as_text=True)
    assert story_ids(full) == made[3:6]
    assert soup(full).select_one("h1").get_text() == "Monday 2 June 2025"


def test_an_empty_day_says_so(client, factory):
    factory.story(published_at=at(2025, 6, 3, 12, 0))
    response = client.get("/archive/2025/06/02")
    assert response.status_code == 200
    assert story_ids(response) == []
    assert soup(response).select_one(".feed-end").get_text() == "No stories were published on Monday 2 June 2025."
    # Not for search engines, which find the days with stories in the sitemap.
    assert soup(response).select_one('meta[name="robots"]')["content"] == "noindex"
    assert soup(client.get("/archive/2025/06/03")).select_one('meta[name="robots"]') is None


def test_a_day_links_to_the_days_before_and_after(client):
    nav = soup(client.get("/archive/2025/03/01")).select_one("nav.day-nav")
    links = [(a.get_text(), a["href"]) for a in nav.select("li a")]
    assert links == [("← 28 February 2025", "/archive/2025/02/28"), ("2 March 2025 →", "/archive/2025/03/02")]
    # Crawlers are not sent walking back through every day since 1970.
    assert [a["rel"] for a in nav.select("li a")] == [["nofollow"], ["nofollow"]]


def test_today_links_to_no_day_after_it(app, client):
    today = datetime.now(UTC).date()  # the tests' newsroom is in UTC
    yesterday = today - timedelta(days=1)
    nav = soup(client.get(f"/archive/{today:%Y/%m/%d}")).select_one("nav.day-nav")
    assert [a.get_text() for a in nav.select("li a")] == [f"← {yesterday.day} {yesterday:%B %Y}"]


@pytest.mark.parametrize("path", [
    "2026/02/30", "2025/02/29", "2025/13/01", "2025/00/10", "2025/04/31", "2025/01/00", "0000/01/01",
    "1969/12/31", "9999/12/31", "abcd/01/01", "2025/jan/01", "2025/1/5", "02025/01/05", "2025/01",
    "2025/01/05/06", "-2025/01/05", "2025/01/0x",
])
def test_a_date_that_is_no_day_of_the_archive_is_a_404(client, path):
    response = client.get(f"/archive/{path}")
    assert response.status_code == 404
    assert soup(response).select_one(".masthead") is not None  # the site's own 404 page


def test_tomorrow_is_a_404_until_it_comes(client):
    tomorrow = datetime.now(UTC).date() + timedelta(days=1)
    assert client.get(f"/archive/{tomorrow:%Y/%m/%d}").status_code == 404


@pytest.mark.parametrize("query", ["after=abc", "through=-1", "after=99999"])
def test_a_bad_cursor_is_a_400(client, factory, query):
    factory.story(published_at=at(2025, 6, 2, 12, 0))
    assert client.get(f"/archive/2025/06/02?{query}").status_code == 400


def test_a_day_is_cached_like_the_other_lists(client, factory):
    section = factory.section("AI")
    factory.story(section=section, published_at=at(2025, 6, 2, 12, 0))
    day = client.get("/archive/2025/06/02")
    listed = client.get(f"/sections/{section.slug}")
    assert day.headers["Cache-Control"] == listed.headers["Cache-Control"]
    assert day.headers["Cache-Control"].startswith("public, max-age=")
    assert set(day.headers["Vary"].split(", ")) == set(listed.headers["Vary"].split(", "))
    assert "HX-Request" in day.headers["Vary"] and day.headers.get("ETag")
    assert "Set-Cookie" not in day.headers


def test_an_articles_date_links_to_its_day_in_the_newsrooms_time_zone(berlin, client, factory):
    # 23:30 UTC on 10 March is 00:30 on 11 March in Berlin.
    story = factory.story("Late news", published_at=at(2025, 3, 10, 23, 30))
    byline = soup(client.get(f"/articles/{story.id}/{story.slug}")).select_one(".byline")
    link = byline.select_one("time a.byline-date")
    assert link.get_text() == "11 March 2025, 00:30 CET"
    assert link["href"] == "/archive/2025/03/11"
    assert story_ids(client.get(link["href"])) == [story.id]


def test_a_signed_in_reader_gets_the_day_with_their_save_buttons(client, factory, user):
    stories = [factory.story(published_at=at(2025, 6, 2, 12, n)) for n in range(3)]
    assert log_in(client, user.email).status_code == 303
    response = client.get("/archive/2025/06/02")
    assert story_ids(response) == [s.id for s in reversed(stories)]
    assert "public" not in response.headers.get("Cache-Control", "")  # their page is theirs
    assert soup(response).select("li.story form button[aria-pressed='false']")
