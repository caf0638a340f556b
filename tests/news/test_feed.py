
import pytest

from portal.models import Kind, Status

from ..helpers import next_link, soup, story_ids

HX = {"HX-Request": "true"}


def ids_newest_first(stories):
    return [s.id for s in stories]


def test_front_page_shows_newest_stories_with_their_details(client, factory):
    section = factory.section("Security")
    ada, bo = factory.author("Ada Lee"), factory.author("Bo Chan")
    factory.stories(35, section=section, authors=[ada])
    analysis = factory.story("Why the chip shortage is over", kind=Kind.analysis, section=section,
                             authors=[ada, bo], minutes_ago=0)
    response = client.get("/")
    assert response.status_code == 200
    page = soup(response)
    rows = page.select("li.story")
    assert len(rows) == 30
    first = rows[0]
    assert first["id"] == f"story-{analysis.id}"
    link = first.select_one(".story-title a")
    assert link.get_text() == "Why the chip shortage is over"
    assert link["href"] == f"/articles/{analysis.id}/why-the-chip-shortage-is-over"
    assert first.select_one(".kind").get_text(strip=True) == "Analysis"
    assert first.select_one(".story-section").get_text() == "Security"
    assert first.select_one(".story-authors").get_text(" ", strip=True) == "By Ada Lee and Bo Chan"
    time = first.select_one("time")
    assert time["datetime"] == analysis.published_at.isoformat(timespec="seconds")
    # The time of day in the site's zone (UTC here); the reader's browser makes it "this minute".
    assert time.get_text() == f"{analysis.published_at:%H:%M}"
    assert time["data-relative"] == f"{analysis.published_at.day} {analysis.published_at:%b}"


def test_roundup_row_names_its_source(client, factory):
    factory.story("Cloud bills keep rising", kind=Kind.roundup, source_name="The Ledger Review",
                  source_url="https://ledger-review.example/cloud")
    label = soup(client.get("/")).select_one(".kind-roundup").get_text(" ", strip=True)
    assert label == "Roundup · via The Ledger Review"


def test_pages_follow_by_cursor_without_overlap_until_the_end(client, factory):
    made = ids_newest_first(factory.stories(70))
    first = client.get("/")
    assert story_ids(first) == made[:30]
    assert next_link(first) == f"/?after={made[29]}"

    second = client.get(next_link(first))
    assert second.status_code == 200
    assert story_ids(second) == made[30:60]
    third = client.get(next_link(second))
    assert story_ids(third) == made[60:]
    assert next_link(third) is None
    assert soup(third).select_one(".feed-more") is None
    assert "you’ve reached the oldest story" in soup(third).select_one(".feed-end").get_text()


def test_exactly_a_full_last_page_has_no_sentinel(client, factory):
    made = ids_newest_first(factory.stories(30))
    response = client.get("/")
    assert story_ids(response) == made
    assert next_link(response) is None


def test_empty_feed_says_so(client):
    response = client.get("/")
    assert response.status_code == 200
    assert soup(response).select_one(".feed-end").get_text(strip=True) == "No stories here yet."


def test_fragment_for_htmx_and_full_page_otherwise(client, factory):
    made = ids_newest_first(factory.stories(40))
    url = f"/?after={made[4]}"
    fragment = client.get(url, headers=HX)
    text = fragment.get_data(as_text=True)
    assert "<html" not in text and "<body" not in text
    assert story_ids(fragment) == made[5:35]
    assert soup(fragment).select_one(".feed-more")["hx-get"] == f"/?after={made[34]}"
    assert "HX-Request" in fragment.headers["Vary"]
    # The address bar then names a URL that re-renders everything shown so far.
    assert fragment.headers["HX-Replace-Url"] == f"/?through={made[34]}"

    for headers in ({}, {**HX, "HX-Boosted": "true"}, {**HX, "HX-History-Restore-Request": "true"}):
        full = client.get(url, headers=headers)
        assert "<html" in full.get_data(as_text=True)
        assert story_ids(full) == made[5:35]
        assert "HX-Request" in full.headers["Vary"]
        assert "HX-Replace-Url" not in full.headers


def test_sentinel_follows_the_list_and_loads_the_next_batch_by_intersection(client, factory):
    made = ids_newest_first(factory.stories(31))
    page = soup(client.get("/"))
    # After the list, not an item of it: text browsers number a list's items as stories.
    assert [li["class"] for li in page.select("ol.stories > li")] == [["story"]] * 30
    sentinel = page.select_one("ol.stories").find_next_sibling()
    assert sentinel["class"] == ["feed-more"]
    assert sentinel["hx-get"] == f"/?after={made[29]}"
    assert sentinel["hx-trigger"] == "intersect once"
    # The batch's rows go at the end of the list; its sentinel (or end) takes this one's place.
    assert (sentinel["hx-target"], sentinel["hx-swap"]) == ("previous .stories", "beforeend")
    assert sentinel["hx-select"] == ".stories > li"
    assert sentinel["hx-select-oob"] == f"#{sentinel['id']}"
    assert sentinel.select_one('a[rel="next"]')["href"] == f"/?after={made[29]}"
    # All a text browser shows of it ("Loading more…" comes from the style sheet).
    assert sentinel.get_text(strip=True) == "Older stories"

    batch = soup(client.get(sentinel["hx-get"], headers=HX))
    assert [li["id"] for li in batch.select(sentinel["hx-select"])] == [f"story-{made[30]}"]
    end = batch.select_one(sentinel["hx-select-oob"])
    assert end.name == "p" and end["class"] == ["feed-end"]
    assert end.get_text() == "That’s everything: you’ve reached the oldest story."
    assert end.find_previous_sibling().name == "ol"


@pytest.mark.parametrize("value", ["abc", "", "-3", "1.5", "0x10", "99999", "1" * 40, "%00", "²", "１２", "0"])
@pytest.mark.parametrize("name", ["after", "through"])
def test_bad_cursor_gets_400_page(client, factory, name, value):
    factory.stories(3)
    response = client.get(f"/?{name}={value}")
    assert response.status_code == 400
    page = soup(response)
    assert page.select_one("h1").get_text() == "That request didn’t make sense"
    assert page.select_one(".masthead") is not None  # in the site's layout


def test_cursor_naming_a_never_published_draft_gets_400(client, factory):
    draft = factory.story(status=Status.draft)
    assert client.get(f"/?after={draft.id}").status_code == 400


def test_after_and_through_together_get_400(client, factory):
    made = factory.stories(3)
    assert client.get(f"/?after={made[0].id}&through={made[1].id}").status_code == 400


def test_story_published_between_requests_shifts_nothing(app, client, factory):
    app.config["FEED_PAGE_SIZE"] = 5
    made = ids_newest_first(factory.stories(12, start_minutes_ago=5))
    first = client.get("/")
    assert story_ids(first) == made[:5]
    fresh = factory.story("Breaking: a new story", minutes_ago=0)
    second = client.get(next_link(first))
    assert story_ids(second) == made[5:10]
    assert fresh.id not in story_ids(second)
    assert story_ids(client.get("/"))[0] == fresh.id


def test_cursor_on_a_story_unpublished_since_still_pages(app, client, factory):
    app.config["FEED_PAGE_SIZE"] = 5
    made = ids_newest_first(factory.stories(12))
    first = client.get("/")
    factory.set_status(made[4], Status.draft)
    second = client.get(next_link(first))
    assert second.status_code == 200
    assert story_ids(second) == made[5:10]
    assert made[4] not in story_ids(client.get("/"))


def test_same_statement_count_for_5_and_30_stories(app, client, factory, count_statements):
    ada, bo, cy = factory.author("Ada Lee"), factory.author("Bo Chan"), factory.author("Cy Diaz")
    made = factory.stories(70, authors=[ada, bo, cy])
    cursor = made[10].id
    app.config["PAGE_CACHE"] = False  # the page size changes between renders of the same URLs
    counts = {}
    for size in (5, 30):
        app.config["FEED_PAGE_SIZE"] = size
        for url in ("/", f"/?after={cursor}", f"/?through={made[40].id}"):
            # A change to a story: nothing rendered before is used (cold), then the same again (warm).
            factory.update(made[-1].id, summary=f"Changed for {size} {url}")
            for state in ("cold", "warm"):
                with count_statements as counter:
                    response = client.get(url)
                assert response.status_code == 200
                counts[size, url, state] = counter.count
        assert len(story_ids(client.get("/"))) == size
    for url in ("/", f"/?after={cursor}", f"/?through={made[40].id}"):
        for state in ("cold", "warm"):
            assert counts[5, url, state] == counts[30, url, state], (url, state)


def test_through_rerenders_the_list_down_to_that_story(client, factory):
    made = ids_newest_first(factory.stories(70))
    response = client.get(f"/?through={made[44]}")
    assert response.status_code == 200
    assert story_ids(response) == made[:45]
    assert next_link(response) == f"/?after={made[44]}"
    canonical = soup(response).select_one('link[rel="canonical"]')["href"]
    assert canonical == "http://localhost/"


def test_through_is_capped_and_offers_the_newest(app, client, factory):
    app.config["FEED_THROUGH_CAP"] = 20
    made = ids_newest_first(factory.stories(50))
    response = client.get(f"/?through={made[39]}")
    assert story_ids(response) == made[20:40]
    assert soup(response).select_one(".feed-jump a")["href"] == "/"
    assert next_link(response) == f"/?after={made[39]}"


def test_through_the_last_story_ends_the_list(client, factory):
    made = ids_newest_first(factory.stories(4))
    response = client.get(f"/?through={made[-1]}")
    assert story_ids(response) == made
    assert next_link(response) is None


def test_section_page_lists_only_its_stories_with_the_same_fragment(app, client, factory):
    app.config["FEED_PAGE_SIZE"] = 3
    security, ai = factory.section("Security"), factory.section("AI")
    secure = ids_newest_first(factory.stories(5, section=security))
    factory.stories(4, section=ai)
    page = client.get("/sections/security")
    assert page.status_code == 200
    assert soup(page).select_one("h1").get_text() == "Security"
    assert story_ids(page) == secure[:3]
    assert next_link(page) == f"/sections/security?after={secure[2]}"
    fragment = client.get(next_link(page), headers=HX)
    assert "<html" not in fragment.get_data(as_text=True)
    assert story_ids(fragment) == secure[3:]
    assert fragment.headers["HX-Replace-Url"] == f"/sections/security?through={secure[4]}"
    nav_current = soup(page).select_one('.sections-nav a[aria-current="page"]')
    assert nav_current.get_text() == "Security"


def test_author_page_lists_stories_they_wrote_or_cowrote(app, client, factory):
    app.config["FEED_PAGE_SIZE"] = 3
    ada, bo = factory.author("Ada Lee", bio="Covers chips."), factory.author("Bo Chan")
    solo = factory.story("Solo story", authors=[ada], minutes_ago=1)
    joint = factory.story("Joint story", authors=[bo, ada], minutes_ago=2)
    factory.story("Bo's own story", authors=[bo], minutes_ago=3)
    older = factory.story("Older solo story", authors=[ada], minutes_ago=4)
    oldest = factory.story("Oldest solo story", authors=[ada], minutes_ago=5)
    page = client.get("/authors/ada-lee")
    assert soup(page).select_one("h1").get_text() == "Ada Lee"
    assert "Covers chips." in page.get_data(as_text=True)
    assert story_ids(page) == [solo.id, joint.id, older.id]
    rest = client.get(next_link(page), headers=HX)
    assert story_ids(rest) == [oldest.id]
    assert 'rel="next"' not in rest.get_data(as_text=True)


@pytest.mark.parametrize("url", ["/sections/nope", "/authors/nobody"])
def test_unknown_section_or_author_is_404(client, url):
    response = client.get(url)
    assert response.status_code == 404
    assert soup(response).select_one("h1").get_text() == "We couldn’t find that page"


def test_drafts_never_appear_in_lists(client, factory):
    shown = factory.story("Published story")
    factory.story("Secret draft", status=Status.draft)
    assert story_ids(client.get("/")) == [shown.id]
    assert "Secret draft" not in client.get("/").get_data(as_text=True)
