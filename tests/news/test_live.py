"""The "N new stories" notice: the region on list pages, the poll endpoint and the rows it inserts."""

import re

import pytest

from portal.models import Status
from portal.news import live

from ..conftest import log_in, make_app
from ..helpers import soup, story_ids

HX = {"HX-Request": "true"}


def region(response):
    return soup(response).select_one("#new-stories")


def poll(client, newest=None, section=None, **headers):
    query = {"newest": newest, "section": section}
    return client.get("/live/new", query_string={k: v for k, v in query.items() if v is not None},
                      headers={**HX, **headers})


def insert(client, newest, section=None):
    query = {"newest": newest} if section is None else {"newest": newest, "section": section}
    return client.get("/live/stories", query_string=query, headers=HX)


def notice_text(response):
    return soup(response).select_one(".new-stories-button").get_text(" ", strip=True)


# ---- the region on list pages ---------------------------------------------------

def test_front_page_has_a_polite_live_region_polling_from_its_newest_story(client, factory):
    made = factory.stories(3)
    response = client.get("/")
    found = region(response)
    assert found["aria-live"] == "polite"
    assert found["hx-get"] == f"/live/new?newest={made[0].id}"
    assert found["hx-trigger"] == "live-poll"  # fired by live.js, only while the tab is visible
    assert found["hx-swap"] == "innerHTML"
    assert found["data-live-interval"] == "30"
    assert found.get_text(strip=True) == ""
    scripts = [s["src"] for s in soup(response).select("script[src]")]
    assert [s for s in scripts if re.fullmatch(r"/static/js/live\.[0-9a-f]{12}\.js", s)]
    # The new region does not come between the header and the list (the lead story's style).
    assert soup(response).select_one(".feed-header + .stories") is not None


def test_section_page_polls_for_its_own_section(client, factory):
    security = factory.section("Security")
    factory.stories(2)
    mine = factory.stories(2, section=security)
    assert region(client.get("/sections/security"))["hx-get"] == (
        f"/live/new?section=security&newest={mine[0].id}"
    )


def test_an_empty_list_polls_from_the_start(client, factory):
    factory.section("Security")
    assert region(client.get("/sections/security"))["hx-get"] == "/live/new?section=security"


def test_lists_not_shown_from_their_top_have_no_region(app, client, factory):
    made = factory.stories(40)
    author = factory._default_author()
    assert region(client.get(f"/?after={made[29].id}")) is None
    assert region(client.get(f"/authors/{author.slug}")) is None
    assert region(client.get("/", headers=HX)) is None  # the next batch's fragment
    assert region(client.get(f"/?through={made[35].id}")) is not None
    app.config["PAGE_CACHE"] = False  # the same URL, rendered under another setting
    app.config["FEED_THROUGH_CAP"] = 10  # a restored list missing its top
    assert region(client.get(f"/?through={made[35].id}")) is None


def test_interval_comes_from_the_configuration(tmp_path, factory_for):
    app = make_app(tmp_path, LIVE_INTERVAL="5")
    factory_for(app).stories(1)
    assert app.config["LIVE_INTERVAL"] == 5
    assert region(app.test_client().get("/"))["data-live-interval"] == "5"


# ---- the notice -----------------------------------------------------------------

def test_nothing_new_is_204_with_no_body(client, factory):
    made = factory.stories(3)
    response = poll(client, made[0].id)
    assert response.status_code == 204
    assert response.data == b""
    assert "HX-Request" in response.headers["Vary"]
    assert response.headers["Cache-Control"] == "no-cache"


def test_stories_published_since_are_counted_in_the_notice(client, factory):
    made = factory.stories(3)
    fresh = [factory.story(minutes_ago=0) for _ in range(3)]
    response = poll(client, made[0].id)
    assert response.status_code == 200
    assert "<html" not in response.get_data(as_text=True)
    assert notice_text(response) == "↑ 3 new stories"
    link = soup(response).select_one("a.new-stories-button")
    assert link["href"] == "/"  # without htmx: the list, reloaded
    assert link["hx-get"] == f"/live/stories?newest={made[0].id}"
    assert link["hx-target"] == "next .stories"
    assert link["hx-swap"] == "afterbegin"
    assert "HX-Request" in response.headers["Vary"]
    assert response.headers["Cache-Control"] == "no-cache"
    assert response.headers["ETag"]
    assert fresh  # counted, not listed


def test_one_new_story_is_singular(client, factory):
    made = factory.stories(2)
    factory.story(minutes_ago=0)
    assert notice_text(poll(client, made[0].id)) == "↑ 1 new story"


def test_the_notice_the_reader_has_is_304_until_the_count_changes(client, factory):
    made = factory.stories(2)
    factory.story(minutes_ago=0)
    first = poll(client, made[0].id)
    etag = first.headers["ETag"]
    again = poll(client, made[0].id, **{"If-None-Match": etag})
    assert again.status_code == 304
    assert again.data == b""
    assert again.headers["ETag"] == etag
    assert "HX-Request" in again.headers["Vary"]

    factory.story(minutes_ago=0)
    changed = poll(client, made[0].id, **{"If-None-Match": etag})
    assert changed.status_code == 200
    assert notice_text(changed) == "↑ 2 new stories"
    assert changed.headers["ETag"] != etag


def test_a_notice_whose_stories_were_withdrawn_is_cleared(client, factory):
    made = factory.stories(2)
    fresh = factory.story(minutes_ago=0)
    etag = poll(client, made[0].id).headers["ETag"]
    factory.set_status(fresh.id, Status.draft)
    # The reader shows a notice (they send its ETag): an empty answer replaces it.
    cleared = poll(client, made[0].id, **{"If-None-Match": etag})
    assert cleared.status_code == 200
    assert cleared.data == b""
    # A reader without one gets the usual "nothing new".
    assert poll(client, made[0].id).status_code == 204


def test_a_draft_is_not_a_new_story(client, factory):
    made = factory.stories(2)
    factory.story(minutes_ago=0, status=Status.draft, published_at=None)
    assert poll(client, made[0].id).status_code == 204


def test_section_notice_counts_only_that_section(client, factory):
    security = factory.section("Security")
    mine = factory.stories(2, section=security)
    factory.stories(1)
    factory.story(minutes_ago=0)  # front page only
    factory.story(minutes_ago=0, section=security)
    response = poll(client, mine[0].id, section="security")
    assert notice_text(response) == "↑ 1 new story"
    link = soup(response).select_one("a.new-stories-button")
    assert link["href"] == "/sections/security"
    assert link["hx-get"] == f"/live/stories?section=security&newest={mine[0].id}"
    # The front page counts both.
    top = story_ids(client.get("/"))
    assert poll(client, top[0]).status_code == 204
    assert notice_text(poll(client, mine[0].id)) == "↑ 3 new stories"  # counted from an older story


def test_an_empty_list_counts_every_story_and_reloads_to_show_them(client, factory):
    security = factory.section("Security")
    factory.story(minutes_ago=0, section=security)
    response = poll(client, section="security")
    assert notice_text(response) == "↑ 1 new story"
    link = soup(response).select_one("a.new-stories-button")
    assert link["href"] == "/sections/security"
    assert not link.has_attr("hx-get")  # nothing on the page to insert above


def test_too_many_new_stories_reload_the_list(client, factory, monkeypatch):
    monkeypatch.setattr(live, "MOST_INSERTED", 3)
    made = factory.stories(2)
    for _ in range(4):
        factory.story(minutes_ago=0)
    response = poll(client, made[0].id)
    assert notice_text(response) == "↑ 3+ new stories"
    assert not soup(response).select_one("a.new-stories-button").has_attr("hx-get")
    # A stale notice's insert is sent to the list rather than leaving a gap.
    inserted = insert(client, made[0].id)
    assert inserted.status_code == 204
    assert inserted.headers["HX-Redirect"] == "/"


def test_the_cursor_of_a_story_unpublished_since_still_counts(client, factory):
    made = factory.stories(2)
    factory.set_status(made[0].id, Status.draft)
    fresh = factory.story(minutes_ago=0)
    assert notice_text(poll(client, made[0].id)) == "↑ 1 new story"
    assert story_ids(insert(client, made[0].id)) == [fresh.id]


def test_the_notice_costs_the_same_few_statements_however_many_are_new(client, factory, count_statements):
    security = factory.section("Security")
    made = factory.stories(2, section=security)
    factory.story(minutes_ago=0, section=security)
    with count_statements as one:
        poll(client, made[0].id, section="security")
    for _ in range(30):
        factory.story(minutes_ago=0, section=security)
    with count_statements as many:
        assert notice_text(poll(client, made[0].id, section="security")) == "↑ 31 new stories"
    assert one.count == many.count <= 3


# ---- the inserted rows -----------------------------------------------------------

def test_insert_returns_exactly_the_new_rows_in_feed_order(client, factory):
    made = factory.stories(5)
    older = factory.story(minutes_ago=3)  # published after the page loaded, but below its top
    fresh = [factory.story(minutes_ago=0) for _ in range(3)]
    response = insert(client, made[0].id)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "<html" not in body
    assert story_ids(response) == [s.id for s in reversed(fresh)]
    assert older.id not in story_ids(response)
    assert "feed-more" not in body and "feed-end" not in body
    assert "HX-Request" in response.headers["Vary"]
    assert "HX-Replace-Url" not in response.headers  # the ?through= address stays as it was
    # Rows like the feed's: the headline, and a Save button that returns to the list.
    row = soup(response).select_one(f"#story-{fresh[-1].id}")
    assert row.select_one(".story-title a")["href"] == f"/articles/{fresh[-1].id}/{fresh[-1].slug}"
    save = row.select_one(".bookmark-button")
    assert save["href"] == f"/login?next=/?through%3D{fresh[-1].id}&save={fresh[-1].id}"


def test_insert_with_nothing_new_is_empty(client, factory):
    made = factory.stories(2)
    response = insert(client, made[0].id)
    assert response.status_code == 200
    assert response.data == b""


def test_inserted_section_rows_are_that_sections(client, factory):
    security = factory.section("Security")
    mine = factory.stories(2, section=security)
    factory.story(minutes_ago=0)
    fresh = factory.story(minutes_ago=0, section=security)
    response = insert(client, mine[0].id, section="security")
    assert story_ids(response) == [fresh.id]
    save = soup(response).select_one(".bookmark-button")
    assert "next=/sections/security?through%3D" in save["href"]


def test_inserted_rows_show_what_the_reader_saved(app, client, factory, user):
    made = factory.stories(2)
    fresh = [factory.story(minutes_ago=0) for _ in range(2)]
    log_in(client, user.email)
    from portal.extensions import db
    from portal.models import Bookmark

    with app.app_context():
        db.session.add(Bookmark(user_id=user.id, article_id=fresh[0].id))
        db.session.commit()
    response = insert(client, made[0].id)
    pressed = {b["id"]: b["aria-pressed"] for b in soup(response).select("button.bookmark-button")}
    assert pressed == {f"save-{fresh[0].id}": "true", f"save-{fresh[1].id}": "false"}
    assert response.headers["Cache-Control"] == "private, no-cache"


def test_insert_costs_the_same_statements_however_many_rows(client, factory, count_statements):
    made = factory.stories(2)
    factory.story(minutes_ago=0)
    with count_statements as one:
        insert(client, made[0].id)
    for _ in range(10):
        factory.story(minutes_ago=0)
    with count_statements as many:
        assert len(story_ids(insert(client, made[0].id))) == 11
    assert one.count == many.count


# ---- parameters and plain requests ------------------------------------------------

@pytest.mark.parametrize("newest", ["abc", "0", "-1", "1.5", "", "²", "9" * 13, "99999", "2147483648"])
def test_a_bad_or_unknown_cursor_is_400(client, factory, newest):
    factory.stories(2)
    assert poll(client, newest).status_code == 400
    assert insert(client, newest).status_code == 400


def test_a_draft_is_no_cursor(client, factory):
    factory.stories(2)
    draft = factory.story(status=Status.draft, published_at=None)
    assert poll(client, draft.id).status_code == 400


def test_insert_needs_a_cursor(client, factory):
    factory.stories(2)
    assert client.get("/live/stories", headers=HX).status_code == 400


def test_an_unknown_section_is_404(client, factory):
    made = factory.stories(2)
    assert poll(client, made[0].id, section="nope").status_code == 404
    assert insert(client, made[0].id, section="nope").status_code == 404


def test_without_htmx_both_endpoints_lead_to_the_list(client, factory):
    security = factory.section("Security")
    made = factory.stories(2, section=security)
    for path in ("/live/new", "/live/stories"):
        response = client.get(path, query_string={"newest": made[0].id, "section": "security"})
        assert response.status_code == 303
        assert response.headers["Location"] == "/sections/security"
        assert "HX-Request" in response.headers["Vary"]
    boosted = client.get("/live/new", query_string={"newest": made[0].id},
                         headers={**HX, "HX-Boosted": "true"})
    assert boosted.status_code == 303
