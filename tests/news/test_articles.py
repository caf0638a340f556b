import json
import re

import pytest

from portal.extensions import db
from portal.models import Article, Kind, Status

from ..helpers import soup, story_ids


@pytest.fixture
def story(factory):
    section = factory.section("AI")
    ada = factory.author("Ada Lee", email="ada.lee@example.com")
    bo = factory.author("Bo Chan")
    return factory.story(
        "Northwind ships its first inference chip",
        section=section,
        authors=[ada, bo],
        summary="The start-up says the part halves the cost of serving models.",
        body="Northwind Labs said on Tuesday its chip is shipping.\n\nAnalysts were cautious.\n\nMore soon.",
        minutes_ago=30,
    )


def test_article_page_shows_the_story(client, story):
    response = client.get(f"/articles/{story.id}/{story.slug}")
    assert response.status_code == 200
    page = soup(response)
    assert page.select_one("h1").get_text() == "Northwind ships its first inference chip"
    assert page.select_one(".article-summary").get_text().startswith("The start-up says")
    byline = page.select_one(".byline")
    assert byline.select_one(".byline-authors").get_text(" ", strip=True) == "By Ada Lee and Bo Chan"
    assert [a["href"] for a in byline.select(".byline-authors a")] == ["/authors/ada-lee", "/authors/bo-chan"]
    time = byline.select_one("time")
    assert time["datetime"] == story.published_at.isoformat(timespec="seconds")
    local = story.published_at
    assert time.get_text() == f"{local.day} {local:%B %Y, %H:%M} UTC"
    assert byline.select_one(".byline-section a").get_text() == "AI"
    assert [p.get_text() for p in page.select(".article-body p")] == [
        "Northwind Labs said on Tuesday its chip is shipping.",
        "Analysts were cautious.",
        "More soon.",
    ]
    contact = page.select_one(".contact a")
    assert contact.get_text() == "Contact reporter"
    assert contact["href"].startswith("mailto:ada.lee@example.com?subject=")
    share = page.select_one(".share a.share-url")
    assert share.get_text() == f"http://localhost/s/{story.id}"
    assert share["data-copy-label"] == "Copy link"


def words(n: int) -> str:
    """A body of `n` words in paragraphs of 50."""
    return "\n\n".join(" ".join(["word"] * 50) for _ in range(n // 50)) + " word" * (n % 50)


@pytest.mark.parametrize(("count", "shown"), [
    (0, "1 min read"), (12, "1 min read"), (344, "1 min read"), (345, "2 min read"),
    (920, "4 min read"), (5000, "22 min read"),
])
def test_byline_says_how_long_the_story_takes_to_read(client, factory, count, shown):
    story = factory.story("A long read", body=words(count))
    byline = soup(client.get(f"/articles/{story.id}/{story.slug}")).select_one(".byline")
    assert byline.select_one(".byline-reading").get_text() == shown
    # Kept apart from the section by text, which text browsers show too.
    assert byline.get_text(" ", strip=True).endswith(f"{story.section.name} · {shown}")



def test_byline_uses_the_site_time_zone(app, client, story):
    app.config["TZINFO"] = __import__("zoneinfo").ZoneInfo("America/New_York")
    text = soup(client.get(f"/articles/{story.id}/{story.slug}")).select_one(".byline time").get_text()
    assert text.endswith(("EST", "EDT"))


def test_roundup_links_to_its_source(client, factory):
    roundup = factory.story("Cloud bills keep rising", kind=Kind.roundup, source_name="The Ledger Review",
                            source_url="https://ledger-review.example/cloud-bills")
    page = soup(client.get(f"/articles/{roundup.id}/{roundup.slug}"))
    note = page.select_one(".source-note")
    assert "The Ledger Review" in note.get_text()
    assert note.select_one("a")["href"] == "https://ledger-review.example/cloud-bills"
    assert page.select_one(".kind").get_text() == "Roundup"


def test_more_from_section_lists_other_stories(client, factory, story):
    others = factory.stories(7, section=story.section, start_minutes_ago=1)
    elsewhere = factory.section("Gadgets")
    factory.story("Gadget news", section=elsewhere, minutes_ago=0)
    page = soup(client.get(f"/articles/{story.id}/{story.slug}"))
    more = page.select_one(".more")
    assert more.select_one("h2").get_text() == "More from AI"
    listed = [int(li["id"].removeprefix("story-")) for li in more.select("li.story")]
    assert listed == [s.id for s in others[:5]]
    assert story.id not in listed


@pytest.mark.parametrize("suffix", ["", "/", "/wrong-slug"])
def test_short_and_wrong_urls_redirect_permanently_to_the_canonical(client, story, suffix):
    response = client.get(f"/articles/{story.id}{suffix}")
    assert response.status_code == 301
    assert response.location == f"/articles/{story.id}/{story.slug}"


@pytest.mark.parametrize("path", ["/articles/999999/anything", "/articles/999999", "/articles/abc"])
def test_unknown_article_is_404(client, story, path):
    response = client.get(path)
    assert response.status_code == 404
    assert soup(response).select_one("h1").get_text() == "We couldn’t find that page"


def test_a_draft_is_404_and_a_withdrawn_story_410_saying_why(app, client, factory):
    draft = factory.story("Embargoed story", status=Status.draft)
    assert client.get(f"/articles/{draft.id}/{draft.slug}").status_code == 404
    pulled = factory.story("Pulled story")
    with app.app_context():
        from portal.news import operations

        operations.unpublish(db.session.get(Article, pulled.id), "It named the wrong company.")
        db.session.commit()
    response = client.get(f"/articles/{pulled.id}/{pulled.slug}")
    assert response.status_code == 410
    page = soup(response)
    assert page.select_one("h1").get_text() == "This story is no longer published"
    assert page.select_one(".withdrawn-note").get_text() == "It named the wrong company."
    assert page.select_one('meta[name="robots"]')["content"] == "noindex"


def test_head_has_title_description_canonical_and_open_graph(client, story):
    page = soup(client.get(f"/articles/{story.id}/{story.slug}"))
    url = f"http://localhost/articles/{story.id}/{story.slug}"
    assert page.title.get_text() == "Northwind ships its first inference chip · Tech Desk"
    assert page.select_one('meta[name="description"]')["content"].startswith("The start-up says")
    assert page.select_one('link[rel="canonical"]')["href"] == url
    og = {m["property"]: m["content"] for m in page.select("meta[property]")}
    assert og["og:type"] == "article"
    assert og["og:title"] == "Northwind ships its first inference chip"
    assert og["og:url"] == url
    assert og["article:section"] == "AI"


def test_json_ld_describes_the_news_article(client, story):
    page = soup(client.get(f"/articles/{story.id}/{story.slug}"))
    data = json.loads(page.select_one('script[type="application/ld+json"]').string)
    assert data["@type"] == "NewsArticle"
    assert data["headline"] == "Northwind ships its first inference chip"
    assert data["url"] == f"http://localhost/articles/{story.id}/{story.slug}"
    assert data["datePublished"] == story.published_at.isoformat(timespec="seconds")
    assert data["dateModified"] >= data["datePublished"]
    assert [a["name"] for a in data["author"]] == ["Ada Lee", "Bo Chan"]
    assert data["author"][0]["url"] == "http://localhost/authors/ada-lee"
    logo = data["publisher"].pop("logo")
    assert data["publisher"] == {"@type": "Organization", "name": "Tech Desk", "url": "http://localhost/"}
    assert re.fullmatch(r"http://localhost/publisher-logo-[0-9a-f]{16}\.png", logo["url"])
    [image] = data["image"]  # no lead image: the card drawn for it (tests/news/test_social.py)
    assert image["url"].startswith(f"http://localhost/articles/{story.id}/card-")
    assert (image["width"], image["height"]) == (1200, 630)


def test_json_ld_cannot_be_broken_out_of_by_a_headline(client, factory):
    story = factory.story("Evil </script><script>alert(1)</script> headline")
    text = client.get(f"/articles/{story.id}/{story.slug}").get_data(as_text=True)
    assert "</script><script>alert(1)" not in text
    data = json.loads(soup(client.get(f"/articles/{story.id}/{story.slug}"))
                      .select_one('script[type="application/ld+json"]').string)
    assert data["headline"] == "Evil </script><script>alert(1)</script> headline"


def test_absolute_links_follow_the_request_host_or_the_public_url(app, client, story):
    path = f"/articles/{story.id}/{story.slug}"
    on_other_host = soup(client.get(path, base_url="https://mirror.example.org"))
    assert on_other_host.select_one('link[rel="canonical"]')["href"] == "https://mirror.example.org" + path
    app.config["PUBLIC_URL"] = "https://news.example.com"
    page = soup(client.get(path, base_url="https://mirror.example.org"))
    assert page.select_one('link[rel="canonical"]')["href"] == "https://news.example.com" + path
    assert page.select_one(".share a.share-url")["href"] == f"https://news.example.com/s/{story.id}"
    data = json.loads(page.select_one('script[type="application/ld+json"]').string)
    assert data["url"] == "https://news.example.com" + path


def test_article_page_statement_count_does_not_grow_with_authors(client, factory, count_statements):
    section = factory.section("AI")
    one = factory.story("One author", section=section, authors=[factory.author("Ada Lee")])
    many_authors = [factory.author(f"Writer {i}") for i in range(6)]
    many = factory.story("Six authors", section=section, authors=many_authors)
    factory.stories(6, section=section, authors=many_authors)
    client.get("/")  # the sections menu is kept from the first full page on
    counts = []
    for story in (one, many):
        with count_statements as counter:
            assert client.get(f"/articles/{story.id}/{story.slug}").status_code == 200
        counts.append(counter.count)
    assert counts[0] == counts[1]
    assert story_ids(client.get("/sections/ai"))  # the section lists them too
