"""Unpublishing: a public reason, a 410 page that gives it, gone from every list, marked removed
in readers' bookmarks; and published again at its old place without a live notice."""

from sqlalchemy import select

from portal.extensions import db
from portal.models import Article, AuditEntry, Status

from ..conftest import csrf_token_from
from ..helpers import soup
from .conftest import form_post, post_story, story_id


def test_unpublishing_needs_a_reason_and_then_the_story_is_gone_but_explained(app, desk, client, reader, factory):
    factory.story(title="An older story", minutes_ago=30)
    published = story_id(post_story(desk, action="publish"))
    token = csrf_token_from(reader.get("/"))
    assert reader.post(f"/bookmarks/{published}", data={"csrf_token": token, "action": "save"}).status_code == 303
    refused = form_post(desk, published, action="unpublish")
    assert refused.status_code == 400
    assert "Say why it is unpublished" in soup(refused).select_one("#unpublish_reason-errors").get_text()
    assert client.get(f"/articles/{published}/chipmaker-opens-a-new-fab").status_code == 200

    response = form_post(desk, published, action="unpublish", unpublish_reason="The fab was not confirmed.")
    assert response.status_code == 303
    page = client.get(f"/articles/{published}/chipmaker-opens-a-new-fab")
    assert page.status_code == 410
    assert soup(page).select_one(".withdrawn-note").get_text() == "The fab was not confirmed."
    assert f"story-{published}" not in client.get("/").get_data(as_text=True)
    assert "Chipmaker" not in client.get("/feed.xml").get_data(as_text=True)
    assert f"/articles/{published}/" not in client.get("/sitemap.xml").get_data(as_text=True)
    assert "Chipmaker" not in client.get("/search?q=chipmaker").get_data(as_text=True)
    saved = soup(reader.get("/bookmarks")).select_one(f"#story-{published}")
    assert saved.select_one(".bookmark-removed-note").get_text(" ", strip=True) == \
        "Removed from the site: “ Chipmaker opens a new fab ”. The fab was not confirmed."
    # The reader can drop it from their bookmarks, not save it again.
    token = csrf_token_from(reader.get("/bookmarks"))
    assert reader.post(f"/bookmarks/{published}", data={"csrf_token": token, "action": "remove"}).status_code == 303
    assert soup(reader.get("/bookmarks")).select_one(f"#story-{published}") is None
    assert reader.post(f"/bookmarks/{published}", data={"csrf_token": token, "action": "save"}).status_code == 404
    with app.app_context():
        entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "unpublished")).one()
        assert entry.detail == "The fab was not confirmed."
        assert db.session.get(Article, published).status is Status.unpublished


def test_a_withdrawn_story_published_again_goes_back_to_its_place_without_a_live_notice(app, desk, client, factory):
    published = story_id(post_story(desk, action="publish"))
    with app.app_context():
        first_time = db.session.get(Article, published).published_at
    newer = factory.story(title="A newer story", minutes_ago=0)
    form_post(desk, published, action="unpublish", unpublish_reason="Checking a figure.")
    buttons = [b.get_text() for b in soup(desk.get(f"/desk/stories/{published}")).select(".story-actions button")]
    assert buttons == ["Preview", "Save draft", "Publish", "Schedule"]
    assert form_post(desk, published, action="publish").status_code == 303
    with app.app_context():
        again = db.session.get(Article, published)
        assert again.published_at == first_time and again.unpublished_note is None
    assert [row["id"] for row in soup(client.get("/")).select("li.story")][:2] == [f"story-{newer.id}", f"story-{published}"]
    notice = client.get(f"/live/new?newest={newer.id}", headers={"HX-Request": "true"})
    assert soup(notice).get_text(strip=True) == ""
    assert client.get(f"/articles/{published}/chipmaker-opens-a-new-fab").status_code == 200
