"""Reading history on the server: the beacon that brings it, the pages that show it, its cap,
its export, clearing it and deleting it with the account."""

import json

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import Article, ListVisit, Section, Status, StoryRead, User, utcnow
from portal.reading.operations import record_reads, record_visits

from ..conftest import PASSWORD, csrf_token_from, log_in
from ..helpers import soup

HX = {"HX-Request": "true"}


def token_of(client) -> str:
    return csrf_token_from(client.get("/account"))


def beacon(client, token, **fields):
    return client.post("/reading/beacon", data={"csrf_token": token, **fields},
                       headers={"Sec-Fetch-Site": "same-origin"})


def reads_of(app, user_id) -> set[int]:
    with app.app_context():
        return set(db.session.scalars(select(StoryRead.article_id).where(StoryRead.user_id == user_id)))


def visits_of(app, user_id) -> dict[str, int]:
    with app.app_context():
        return dict(db.session.execute(
            select(ListVisit.list_key, ListVisit.top_article_id).where(ListVisit.user_id == user_id)).all())


def test_the_beacon_keeps_the_stories_read_and_the_lists_last_tops(app, reader, user, factory):
    stories = factory.stories(4)
    section = factory.section("AI")
    token = token_of(reader)
    response = beacon(reader, token, read=f"{stories[0].id},{stories[2].id},{stories[0].id}",
                      visit=["front " + str(stories[0].id), f"section:{section.slug} {stories[1].id}"])
    assert response.status_code == 204
    assert reads_of(app, user.id) == {stories[0].id, stories[2].id}
    assert visits_of(app, user.id) == {"front": stories[0].id, f"section:{section.slug}": stories[1].id}
    # A later visit replaces the list's top; reading a story again keeps it once.
    assert beacon(reader, token, read=str(stories[2].id), visit=f"front {stories[3].id}").status_code == 204
    assert reads_of(app, user.id) == {stories[0].id, stories[2].id}
    assert visits_of(app, user.id)["front"] == stories[3].id


def test_stories_that_are_not_published_are_left_out(app, reader, user, factory):
    shown = factory.story()
    draft = factory.story(status=Status.draft)
    assert beacon(reader, token_of(reader), read=f"{shown.id},{draft.id},999999",
                  visit=f"front {draft.id}").status_code == 204
    assert reads_of(app, user.id) == {shown.id}
    assert visits_of(app, user.id) == {}


@pytest.mark.parametrize("fields, message", [
    ({"read": "12,abc"}, "“read” must be story numbers"),
    ({"read": "12,,13"}, "“read” must be story numbers"),
    ({"read": ",".join(str(n) for n in range(1, 202))}, "At most 200 stories"),
    ({"visit": "front"}, "Each “visit” is a list’s name and a story number."),
    ({"visit": "elsewhere:x 12"}, "Each “visit” is a list’s name and a story number."),
    ({"visit": "section:AI 12"}, "Each “visit” is a list’s name and a story number."),
    ({"visit": [f"section:s{n} 1" for n in range(51)]}, "At most 50 lists"),
])
def test_a_beacon_that_makes_no_sense_is_a_400(reader, factory, fields, message):
    factory.story()
    response = beacon(reader, token_of(reader), **fields)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


def test_the_beacon_needs_the_readers_token_from_this_site(app, reader, user, factory):
    story = factory.story()
    no_token = reader.post("/reading/beacon", data={"read": str(story.id)})
    assert no_token.status_code == 400
    cross_site = reader.post("/reading/beacon", data={"csrf_token": token_of(reader), "read": str(story.id)},
                             headers={"Sec-Fetch-Site": "cross-site"})
    assert cross_site.status_code == 403
    assert reads_of(app, user.id) == set()


def test_a_signed_out_beacon_is_refused(app, client, factory):
    story = factory.story()
    # A signed-out page has no token to send: the check of it answers first.
    assert client.post("/reading/beacon", data={"read": str(story.id)}).status_code == 400
    with app.app_context():
        assert db.session.scalar(select(StoryRead.article_id)) is None


def test_beacons_are_limited_per_reader(app, reader, factory):
    story = factory.story()
    token = token_of(reader)
    answers = [beacon(reader, token, read=str(story.id)).status_code for _ in range(5)]
    assert answers == [204, 204, 204, 204, 429]


def test_a_reader_keeps_their_2000_latest_stories_read(app, user, factory):
    section = factory.section("Bulk")
    with app.app_context():
        now = utcnow()
        articles = [Article(title=f"Story {n}", slug=f"story-{n}", section_id=section.id, status=Status.published,
                            published_at=now) for n in range(2005)]
        db.session.add_all(articles)
        db.session.commit()
        ids = [article.id for article in articles]
        reader = db.session.get(User, user.id)
        for start in range(0, 2005, 200):  # as beacons bring them, a minute's worth at a time
            record_reads(reader, ids[start:start + 200])
            db.session.commit()
    kept = reads_of(app, user.id)
    assert len(kept) == 2000
    # The first beacon's are the oldest; of those read at one moment, the lowest ids go first.
    assert kept == set(ids[5:])


def test_a_reader_keeps_the_last_visits_of_200_lists(app, user, factory):
    story = factory.story()
    with app.app_context():
        reader = db.session.get(User, user.id)
        for n in range(201):
            record_visits(reader, {f"section:s{n}": story.id})
            db.session.commit()
    kept = visits_of(app, user.id)
    assert len(kept) == 200 and "section:s0" not in kept and "section:s200" in kept


@pytest.mark.parametrize("page_cache", [True, False])
def test_a_signed_in_list_carries_the_readers_marks_and_last_visit(app, reader, user, factory, page_cache):
    app.config["PAGE_CACHE"] = page_cache
    stories = factory.stories(5)
    token = token_of(reader)
    assert beacon(reader, token, read=f"{stories[1].id},{stories[3].id}", visit=f"front {stories[2].id}").status_code == 204
    for _ in ("first", "again, from what was kept"):
        page = soup(reader.get("/"))
        read = [row["id"] for row in page.select("li.story") if row.select_one("[data-read]")]
        assert read == [f"story-{stories[1].id}", f"story-{stories[3].id}"]
        state = page.select_one("#reader-reading")
        assert state["data-reader"] == str(user.id)
        assert state["data-visit-top"] == str(stories[2].id)
        assert int(state["data-visit-at"]) > 0
        assert page.select_one("ol.stories")["data-reading-list"] == "front"
    # A list the reader never visited has no last visit; the marks are still there.
    section_page = soup(reader.get(f"/sections/{stories[0].section.slug}"))
    assert section_page.select_one("#reader-reading").get("data-visit-top") is None
    assert len(section_page.select("li.story [data-read]")) == 2
    # The next batch is only rows: their marks, no reading state.
    fragment = soup(reader.get(f"/?after={stories[0].id}", headers=HX))
    assert fragment.select_one("#reader-reading") is None
    assert [row["id"] for row in fragment.select("li.story") if row.select_one("[data-read]")] == [
        f"story-{stories[1].id}", f"story-{stories[3].id}"]


def test_another_readers_page_has_none_of_it(app, reader, factory, make_user):
    stories = factory.stories(3)
    assert beacon(reader, token_of(reader), read=str(stories[0].id), visit=f"front {stories[0].id}").status_code == 204
    reader.get("/")  # kept for every signed-in reader
    other = app.test_client()
    bo = make_user("bo@example.com")
    assert log_in(other, "bo@example.com").status_code == 303
    page = soup(other.get("/"))
    assert page.select("[data-read]") == []
    assert page.select_one("#reader-reading")["data-reader"] == str(bo.id)
    assert page.select_one("#reader-reading").get("data-visit-top") is None


def test_anonymous_pages_carry_nothing_of_any_reader_and_stay_public(app, reader, factory):
    stories = factory.stories(3)
    assert beacon(reader, token_of(reader), read=str(stories[0].id)).status_code == 204
    client = app.test_client()
    first, second = client.get("/"), app.test_client().get("/")
    assert first.get_data() == second.get_data()
    assert first.headers["Cache-Control"].startswith("public")
    page = soup(first)
    assert page.select_one("#reader-reading") is None and page.select("[data-read]") == []
    assert page.select_one("ol.stories")["data-reading-list"] == "front"
    assert page.select_one("script[data-beacon-url]")["data-beacon-url"] == "/reading/beacon"
    # An older page of the list is not a visit to it.
    assert soup(client.get(f"/?after={stories[0].id}")).select_one("ol.stories").get("data-reading-list") is None
    # Nor is an archive day, which gets no new stories to catch up on.
    published = page.select_one(f"#story-{stories[0].id} time")["datetime"]  # UTC, the site's zone here
    day = soup(client.get("/archive/" + published[:10].replace("-", "/")))
    assert day.select_one(f"ol.stories #story-{stories[0].id}") is not None
    assert day.select_one("ol.stories").get("data-reading-list") is None


def test_an_article_names_its_story_and_marks_the_readers_more_stories(app, reader, factory):
    section = factory.section("AI")
    stories = factory.stories(3, section=section)
    assert beacon(reader, token_of(reader), read=str(stories[1].id)).status_code == 204
    page = soup(reader.get(f"/articles/{stories[0].id}/{stories[0].slug}"))
    assert page.select_one("article.article")["data-reading-story"] == str(stories[0].id)
    assert [row["id"] for row in page.select("li.story") if row.select_one("[data-read]")] == [f"story-{stories[1].id}"]


def test_a_signed_in_list_page_still_costs_three_statements(app, reader, factory, count_statements):
    stories = factory.stories(31)
    assert beacon(reader, token_of(reader), read=f"{stories[0].id},{stories[4].id}",
                  visit=f"front {stories[0].id}").status_code == 204
    assert reader.get("/").status_code == 200
    with count_statements as counter:
        page = soup(reader.get("/"))
    # The content version, the reader's sign-in, and their marks: saved, read and the last visit at once.
    assert counter.count == 3
    marks = counter.statements[-1]
    assert marks.count("UNION ALL") == 2
    assert "bookmarks" in marks and "story_reads" in marks and "list_visits" in marks
    assert len(page.select("li.story [data-read]")) == 2


def test_the_json_export_holds_the_reading_history(app, reader, factory):
    stories = factory.stories(2)
    assert beacon(reader, token_of(reader), read=str(stories[1].id), visit=f"front {stories[0].id}").status_code == 204
    exported = json.loads(reader.get("/bookmarks.json").get_data())
    assert [(entry["title"], entry["url"]) for entry in exported["read_stories"]] == [
        (stories[1].title, f"http://localhost/articles/{stories[1].id}/{stories[1].slug}")]
    assert exported["read_stories"][0]["read_at"]
    assert exported["list_visits"][0]["list"] == "front"
    assert exported["list_visits"][0]["top_story"]["title"] == stories[0].title


def test_clearing_the_history_from_the_account_page(app, reader, user, factory):
    stories = factory.stories(3)
    assert beacon(reader, token_of(reader), read=f"{stories[0].id},{stories[1].id}",
                  visit=f"front {stories[0].id}").status_code == 204
    account = soup(reader.get("/account"))
    form = account.select_one("form[data-reading-clear]")
    assert form.select_one("button").get_text(strip=True) == "Clear reading history"
    assert reader.post(form["action"]).status_code == 400  # no token
    response = reader.post(form["action"], data={"csrf_token": csrf_token_from(reader.get("/account"))})
    assert response.status_code == 303
    flashed = soup(reader.get(response.location)).select_one(".flash").get_text(" ", strip=True)
    assert flashed.startswith("Your reading history is cleared: 2 stories no longer shown as read")
    assert reads_of(app, user.id) == set() and visits_of(app, user.id) == {}
    assert soup(reader.get("/")).select("[data-read]") == []


def test_deleting_the_account_deletes_its_history(app, reader, user, factory):
    stories = factory.stories(2)
    assert beacon(reader, token_of(reader), read=str(stories[0].id), visit=f"front {stories[0].id}").status_code == 204
    response = reader.post("/account/delete", data={"csrf_token": token_of(reader), "password": PASSWORD})
    assert response.status_code == 303
    with app.app_context():
        assert db.session.scalars(select(StoryRead)).all() == []
        assert db.session.scalars(select(ListVisit)).all() == []
        assert db.session.scalars(select(Section)).all()  # the site's own rows stay
