import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import feedparser
import pytest

from portal.models import Kind, Status

from ..helpers import soup

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


@pytest.fixture
def newsroom(factory):
    ai, security = factory.section("AI"), factory.section("Security")
    ada, bo = factory.author("Ada Lee"), factory.author("Bo Chan")
    stories = [
        factory.story("Chips get cheaper", section=ai, authors=[ada], minutes_ago=1, summary="Prices fall."),
        factory.story("A worm in the routers", section=security, authors=[bo, ada], minutes_ago=2),
        factory.story("Models get smaller", section=ai, authors=[bo], minutes_ago=3, kind=Kind.analysis),
    ]
    factory.story("Embargoed", section=ai, authors=[ada], status=Status.draft)
    return stories


def parse(response):
    assert response.status_code == 200
    assert response.content_type == "application/atom+xml; charset=utf-8"
    parsed = feedparser.parse(response.data)
    assert not parsed.bozo, parsed.get("bozo_exception")
    return parsed, ET.fromstring(response.data)


def test_site_feed_is_valid_atom_with_the_newest_stories(client, newsroom):
    parsed, root = parse(client.get("/feed.atom"))
    assert root.tag == f"{ATOM}feed"
    assert parsed.version == "atom10"
    feed = parsed.feed
    assert feed.id == "http://localhost/feed.atom"
    assert feed.title == "Tech Desk"
    assert feed.updated_parsed is not None
    assert {link.rel: link.href for link in feed.links} == {"self": "http://localhost/feed.atom",
                                                             "alternate": "http://localhost/"}
    assert [e.title for e in parsed.entries] == ["Chips get cheaper", "A worm in the routers", "Models get smaller"]
    first = parsed.entries[0]
    url = f"http://localhost/articles/{newsroom[0].id}/{newsroom[0].slug}"
    assert first.id == url and first.link == url
    assert first.summary == "Prices fall."
    assert [a.name for a in parsed.entries[1].authors] == ["Bo Chan", "Ada Lee"]
    assert first.published_parsed is not None and first.updated_parsed is not None
    # Atom's required elements, present on every entry.
    for entry in root.findall(f"{ATOM}entry"):
        for required in ("id", "title", "updated"):
            assert entry.find(f"{ATOM}{required}") is not None


def test_feed_links_resolve(client, newsroom):
    parsed, _ = parse(client.get("/feed.atom"))
    for entry in parsed.entries:
        path = entry.link.removeprefix("http://localhost")
        assert client.get(path).status_code == 200
    assert client.get(parsed.feed.link.removeprefix("http://localhost")).status_code == 200


def test_section_and_author_feeds(client, newsroom):
    section, _ = parse(client.get("/sections/ai/feed.atom"))
    assert section.feed.title == "AI · Tech Desk"
    assert [e.title for e in section.entries] == ["Chips get cheaper", "Models get smaller"]
    author, _ = parse(client.get("/authors/ada-lee/feed.atom"))
    assert [e.title for e in author.entries] == ["Chips get cheaper", "A worm in the routers"]
    assert client.get("/sections/nope/feed.atom").status_code == 404
    assert client.get("/authors/nobody/feed.atom").status_code == 404


def test_each_feed_has_its_own_subtitle_as_its_page_describes_itself(client, factory):
    factory.section("Chips", description="Fabs, foundries and the fight for the smallest node.")
    factory.section("Security")
    factory.author("Ada Lee", bio="Ada covers semiconductors from Taipei.")
    factory.author("Bo Chan")
    expected = {
        "/feed.atom": "The latest stories from Tech Desk",
        "/sections/chips/feed.atom": "Fabs, foundries and the fight for the smallest node.",
        "/sections/security/feed.atom": "The latest Security news from Tech Desk.",
        "/authors/ada-lee/feed.atom": "Stories by Ada Lee. Ada covers semiconductors from Taipei.",
        "/authors/bo-chan/feed.atom": "Stories by Bo Chan.",
    }
    for url, subtitle in expected.items():
        parsed, _ = parse(client.get(url))
        assert parsed.feed.subtitle == subtitle, url
    for page in ("/sections/chips", "/sections/security", "/authors/ada-lee", "/authors/bo-chan"):
        description = soup(client.get(page)).select_one('meta[name="description"]')["content"]
        assert description == expected[f"{page}/feed.atom"]


def test_feeds_use_the_public_url(app, client, newsroom):
    app.config["PUBLIC_URL"] = "https://news.example.com"
    parsed, _ = parse(client.get("/feed.atom", base_url="http://internal:8000"))
    assert parsed.feed.id == "https://news.example.com/feed.atom"
    assert parsed.entries[0].link.startswith("https://news.example.com/articles/")


def test_empty_feed_is_still_valid(client):
    parsed, _ = parse(client.get("/feed.atom"))
    assert parsed.entries == []


def test_pages_point_feed_readers_at_their_feed(client, newsroom):
    def alternates(path):
        links = soup(client.get(path)).select('link[rel="alternate"][type="application/atom+xml"]')
        return sorted(link["href"] for link in links)

    assert alternates("/") == ["/feed.atom"]
    assert alternates("/sections/ai") == ["/feed.atom", "/sections/ai/feed.atom"]
    assert alternates("/authors/bo-chan") == ["/authors/bo-chan/feed.atom", "/feed.atom"]


def test_sitemap_lists_home_sections_authors_and_published_stories(client, newsroom):
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    root = ET.fromstring(response.data)
    assert root.tag == f"{SITEMAP}urlset"
    locations = [url.findtext(f"{SITEMAP}loc") for url in root]
    assert locations[0] == "http://localhost/"
    assert "http://localhost/sections/security" in locations
    assert "http://localhost/authors/ada-lee" in locations
    story_urls = [loc for loc in locations if "/articles/" in loc]
    assert len(story_urls) == 3 and not any("embargoed" in loc for loc in story_urls)
    dated = [url for url in root if "/articles/" in url.findtext(f"{SITEMAP}loc") and url.findtext(f"{SITEMAP}lastmod")]
    assert len(dated) == 3


def test_sitemap_lists_the_archive_days_of_its_stories_in_the_newsrooms_zone(app, client, factory):
    app.config["TZINFO"] = ZoneInfo("Europe/Berlin")
    factory.story(published_at=datetime(2025, 3, 9, 22, 0, tzinfo=UTC))  # 23:00 on the 9th in Berlin
    factory.story(published_at=datetime(2025, 3, 9, 23, 30, tzinfo=UTC))  # 00:30 on the 10th
    factory.story(published_at=datetime(2025, 3, 10, 12, 0, tzinfo=UTC))
    root = ET.fromstring(client.get("/sitemap.xml").data)
    days = {url.findtext(f"{SITEMAP}loc"): url.findtext(f"{SITEMAP}lastmod")
            for url in root if "/archive/" in url.findtext(f"{SITEMAP}loc")}
    assert days == {"http://localhost/archive/2025/03/10": "2025-03-10T12:00:00+00:00",
                    "http://localhost/archive/2025/03/09": "2025-03-09T22:00:00+00:00"}


def test_robots_txt_points_at_the_sitemap_and_keeps_private_pages_out(client):
    response = client.get("/robots.txt")
    assert response.content_type == "text/plain; charset=utf-8"
    lines = response.get_data(as_text=True).splitlines()
    assert lines[0] == "User-agent: *"
    assert "Disallow: /account" in lines and "Disallow: /bookmarks" in lines
    assert "Sitemap: http://localhost/sitemap.xml" in lines
    assert "Sitemap: http://localhost/sitemap-news.xml" in lines


NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"


def test_the_news_sitemap_lists_the_last_48_hours_with_titles(client, factory):
    recent = factory.story("Chips & <wafers> get cheaper", minutes_ago=60)
    factory.story("Two days and a bit ago", minutes_ago=48 * 60 + 5)
    factory.story("Scheduled", status=Status.scheduled)
    response = client.get("/sitemap-news.xml")
    assert response.status_code == 200
    assert response.content_type == "application/xml; charset=utf-8"
    root = ET.fromstring(response.data)
    assert root.tag == f"{SITEMAP}urlset"
    [url] = list(root)
    assert url.findtext(f"{SITEMAP}loc") == f"http://localhost/articles/{recent.id}/{recent.slug}"
    news = url.find(f"{NEWS}news")
    assert news.findtext(f"{NEWS}title") == "Chips & <wafers> get cheaper"
    assert news.findtext(f"{NEWS}publication/{NEWS}name") == "Tech Desk"
    assert news.findtext(f"{NEWS}publication/{NEWS}language") == "en"
    assert news.findtext(f"{NEWS}publication_date") == recent.published_at.replace(microsecond=0).isoformat()
