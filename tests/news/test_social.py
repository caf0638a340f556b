"""What other sites show of a shared story without a lead image: a 1200x630 card with its
headline, section and the site's name, under a URL that changes with what it shows; and the
publisher's logo for the JSON-LD."""

import json

import pytest

from portal.extensions import db
from portal.models import Article, Status
from portal.news import operations

from ..helpers import soup
from ..images import opened


def card_url(client, story) -> str:
    page = soup(client.get(f"/articles/{story.id}/{story.slug}"))
    assert page.select_one("meta[name='twitter:card']")["content"] == "summary_large_image"
    assert page.select_one("meta[name='twitter:image']")["content"] == page.select_one("meta[property='og:image']")["content"]
    assert page.select_one("meta[name='robots']")["content"] == "max-image-preview:large"
    return page.select_one("meta[property='og:image']")["content"].removeprefix("http://localhost")


def test_a_story_without_an_image_is_shared_with_a_card_of_its_headline(app, client, factory):
    story = factory.story("Chipmaker opens a new fab")
    url = card_url(client, story)
    response = client.get(url)
    assert response.status_code == 200
    assert response.content_type == "image/png"
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert opened(response.data).size == (1200, 630)
    assert client.get(url, headers={"If-None-Match": response.headers["ETag"]}).status_code == 304
    alt = soup(client.get(f"/articles/{story.id}/{story.slug}")).select_one("meta[property='og:image:alt']")["content"]
    assert alt.startswith("Chipmaker opens a new fab")

    with app.app_context():  # a corrected headline: a new card, and the old one's URL is gone
        article = db.session.get(Article, story.id)
        article.title = "Chipmaker opens two new fabs"
        operations.correct(article, "It is two fabs, not one.")
        db.session.commit()
    corrected = card_url(client, story)
    assert corrected != url
    assert client.get(corrected).status_code == 200 and client.get(url).status_code == 404
    assert client.get(corrected).data != response.data


def test_no_card_for_a_story_readers_cannot_see(client, factory):
    draft = factory.story("Embargoed", status=Status.draft)
    assert client.get(f"/articles/{draft.id}/card-0123456789abcdef.png").status_code == 404


def test_the_publishers_logo_has_an_address_of_its_name(app, client, story_for_logo):
    url = logo_url(client, story_for_logo)
    response = client.get(url)
    assert response.status_code == 200 and response.content_type == "image/png"
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert opened(response.data).size == (600, 60)
    app.config["PAGE_CACHE"] = False  # a site renamed on restart: its pages are rendered anew
    app.config["SITE_NAME"] = "Ledger Desk"  # a new address, and the old one is gone
    assert logo_url(client, story_for_logo) != url
    assert client.get(url).status_code == 404


@pytest.fixture
def story_for_logo(factory):
    return factory.story("Chipmaker opens a new fab")


def logo_url(client, story) -> str:
    page = soup(client.get(f"/articles/{story.id}/{story.slug}"))
    data = json.loads(page.select_one('script[type="application/ld+json"]').string)
    return data["publisher"]["logo"]["url"].removeprefix("http://localhost")
