"""Corrections in public: changing what readers read in a published story needs a Correction
note unless it is a minor edit; a correction shows "Updated", goes on the story's corrections
log, and moves dateModified, the Atom entry's updated and the sitemap's lastmod; a minor edit
moves none of them."""

import json
import re
from xml.etree import ElementTree

from portal.extensions import db
from portal.models import Article

from ..helpers import soup
from .conftest import form_post, post_story, story_id

ATOM = "{http://www.w3.org/2005/Atom}"
URL = "/articles/{}/chipmaker-opens-a-new-fab"


def times(app, client, article_id) -> dict:
    """Every place a reader, a feed reader or a search engine learns of the story's last change."""
    page = soup(client.get(URL.format(article_id)))
    json_ld = json.loads(page.select_one('script[type="application/ld+json"]').get_text())
    entry = next(e for e in ElementTree.fromstring(client.get("/feed.atom").data).iter(f"{ATOM}entry")
                 if e.findtext(f"{ATOM}id").endswith(URL.format(article_id)))
    sitemap = client.get("/sitemap.xml").get_data(as_text=True)
    lastmod = re.search(re.escape(URL.format(article_id)) + r"</loc>\s*<lastmod>([^<]+)</lastmod>", sitemap)
    return {"updated": page.select_one(".byline-updated time")["datetime"] if page.select_one(".byline-updated") else None,
            "dateModified": json_ld["dateModified"],
            "modified_time": page.select_one('meta[property="article:modified_time"]')["content"],
            "atom": entry.findtext(f"{ATOM}updated"), "lastmod": lastmod and lastmod.group(1)}


def test_a_change_needs_a_note_unless_minor_and_a_minor_edit_moves_no_date(app, desk, client):
    published = story_id(post_story(desk, action="publish"))
    before = times(app, client, published)
    assert before["updated"] is None
    page = soup(desk.get(f"/desk/stories/{published}"))
    assert [label.get_text(strip=True) for label in page.select("label") if "orrection" in label.get_text()] == \
        ["Correction note"]
    assert "Minor edit (typo, no public note)" in [label.get_text(strip=True) for label in page.select("label.checkbox")]
    refused = form_post(desk, published, action="update", title="Chipmaker opens a new fabb")
    assert refused.status_code == 400
    assert "Say what was corrected" in soup(refused).select_one("#correction_note-errors").get_text()
    assert soup(refused).select_one("input#title")["value"] == "Chipmaker opens a new fabb"  # kept
    assert form_post(desk, published, action="update", title="Chipmaker opens a new fab in Dresden",
                     minor_edit="y").status_code == 303
    after = times(app, client, published)
    assert after == before
    assert soup(client.get(URL.format(published))).select_one(".corrections") is None


def test_a_correction_is_shown_logged_and_dated_everywhere(app, desk, client):
    published = story_id(post_story(desk, action="publish"))
    for note in ("The plant is in Dresden, not Leipzig.", "The investment is €10bn, not €1bn."):
        assert form_post(desk, published, action="update", summary=f"Corrected: {note}",
                         correction_note=note).status_code == 303
    with app.app_context():
        corrected_at = db.session.get(Article, published).corrected_at
    page = soup(client.get(URL.format(published)))
    assert page.select_one(".byline-updated").get_text(" ", strip=True).startswith("Updated")
    log = [item.get_text(" ", strip=True).split(": ", 1)[1] for item in page.select(".corrections li")]
    assert log == ["The plant is in Dresden, not Leipzig.", "The investment is €10bn, not €1bn."]
    found = times(app, client, published)
    assert found["updated"] == found["dateModified"] == found["modified_time"] == \
        corrected_at.replace(microsecond=0).isoformat()
    assert found["atom"].startswith(corrected_at.strftime("%Y-%m-%dT%H:%M:%S"))
    assert found["lastmod"].startswith(corrected_at.strftime("%Y-%m-%d"))


def test_stories_never_corrected_show_no_updated(client, factory):
    story = factory.story(title="A demo story")
    factory.update(story.id, summary="Changed by the importer or the loader.")
    page = soup(client.get(f"/articles/{story.id}/{story.slug}"))
    assert page.select_one(".byline-updated") is None and page.select_one(".corrections") is None
