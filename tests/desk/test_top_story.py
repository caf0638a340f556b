"""The front page's top story: chosen on the desk, shown above the list until another replaces it
or its 24 hours pass (publish-due ends it, so cached pages follow at once)."""

from datetime import timedelta

from portal.desk.cli import publish_due_once
from portal.extensions import db
from portal.news import operations
from portal.web.timestamps import utcnow

from ..helpers import soup, story_ids
from .conftest import form_post, post_story, story_id

HX = {"HX-Request": "true"}


def top_story(response):
    block = soup(response).select_one(".top-story")
    return block and block.select_one(".top-story-title").get_text(strip=True)


def test_the_top_story_shows_above_the_front_pages_list_until_replaced(app, client, desk, factory):
    older = factory.stories(3)
    first = story_id(post_story(desk, action="publish", title="Chipmaker opens a new fab"))
    assert top_story(client.get("/")) is None
    assert form_post(desk, first, action="update", top_story="y").status_code == 303
    page = client.get("/")
    assert top_story(page) == "Chipmaker opens a new fab"
    assert "A short summary." in soup(page).select_one(".top-story").get_text()
    assert story_ids(page)[0] == first  # still in its place in the list too
    # Only above the front page from its top: not in a section, a later page or a fragment.
    assert top_story(client.get("/sections/security")) is None
    assert top_story(client.get(f"/?after={older[0].id}")) is None
    assert "top-story" not in client.get(f"/?after={first}", headers=HX).get_data(as_text=True)

    # Published as the top story at once: it takes the first one's place.
    second = story_id(post_story(desk, action="publish", title="Regulator fines a cloud giant", top_story="y"))
    assert soup(desk.get(f"/desk/stories/{second}")).select_one("input#top_story").has_attr("checked")
    assert top_story(client.get("/")) == "Regulator fines a cloud giant"
    assert soup(desk.get(f"/desk/stories/{first}")).select_one("input#top_story").has_attr("checked") is False
    assert form_post(desk, second, action="update", top_story="").status_code == 303  # unticked: none
    assert top_story(client.get("/")) is None


def test_the_top_story_ends_after_24_hours_and_when_unpublished(app, client, desk):
    story = story_id(post_story(desk, action="publish"))
    assert form_post(desk, story, action="update", top_story="y").status_code == 303
    assert top_story(client.get("/")) == "Chipmaker opens a new fab"
    with app.app_context():
        assert operations.end_expired_top_stories(utcnow() + timedelta(hours=23)) == []
        publish_due_once()
    assert top_story(client.get("/")) == "Chipmaker opens a new fab"
    with app.app_context():
        assert operations.end_expired_top_stories(utcnow() + timedelta(hours=24, seconds=1)) == [story]
        db.session.commit()
    assert top_story(client.get("/")) is None

    assert form_post(desk, story, action="update", top_story="y").status_code == 303
    assert form_post(desk, story, action="unpublish", unpublish_reason="Not confirmed.").status_code == 303
    assert top_story(client.get("/")) is None
