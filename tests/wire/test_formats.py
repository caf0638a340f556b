"""Each feed format read into roundups, and hostile feeds stored and shown as harmless text."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import Author, Kind, Status

from ..helpers import soup
from .conftest import COPPER, HOSTILE, KILOPARSEC, LEDGER, articles, import_feed, write_rss

# ---- each format --------------------------------------------------------------------------

def test_rss_entries_become_published_roundups_signed_by_the_wire_desk(app, runner):
    result = import_feed(runner, LEDGER)

    assert result.exit_code == 0, result.output
    assert result.output == 'Imported 6 entries from "The Ledger Review": 4 added, 1 skipped, 1 invalid.\n'
    stored = articles(app)
    assert len(stored) == 4
    first = stored["https://ledger-review.example/2026/11/northwind-raise"]
    assert first.kind is Kind.roundup and first.status is Status.published
    assert first.title == "Northwind Labs raises $40m for battery recycling"  # whitespace collapsed
    assert first.summary == ("Northwind Labs has raised $40m to expand its recycling plant. "
                             "The company says it will double capacity by next spring & hire 200 people.")
    assert first.paragraphs()[:2] == [
        "Northwind Labs has raised $40m to expand its recycling plant.",
        "The company says it will double capacity by next spring & hire 200 people.",
    ]
    assert "https://ledger-review.example/2026/11/northwind-raise" in first.paragraphs()[-1]
    assert first.source_name == "The Ledger Review"
    assert first.source_author == "Priya Natarajan"
    assert first.source_published_at == datetime(2026, 11, 3, 8, 0, tzinfo=UTC)  # +0200 in the feed
    assert first.source_guid.endswith("ledger-1001")
    assert first.byline_names == ["Wire Desk"]
    assert first.section_name == "Business & Tech"  # made, as the database had no section

    # RSS <author> is "email (Name)": only the name is kept.
    assert stored["https://ledger-review.example/2026/11/meridian-fees"].source_author == "Maria Okafor"
    # No GUID and no date: keyed by its link, imported without an original time.
    undated = stored["https://ledger-review.example/2026/11/chip-export-briefing"]
    assert undated.source_guid == undated.source_url
    assert undated.source_published_at is None and undated.source_author is None
    # No title: one is made from the excerpt's first words.
    untitled = stored["https://ledger-review.example/2026/11/untitled-note"]
    assert untitled.title.startswith("Quarry Cloud confirms a second data centre in Lisbon")
    assert untitled.title.endswith("…") and len(untitled.title) <= 80
    # Neither title nor text: invalid, not stored.
    assert "https://ledger-review.example/2026/11/empty" not in stored

    with app.app_context():
        wire = db.session.scalar(select(Author).where(Author.slug == "wire-desk"))
        assert wire.name == "Wire Desk" and wire.email == "wire@example.com"
        assert wire.bio == "Roundups of reporting from other outlets."


def test_atom_entries_keep_their_names_times_and_text(app, runner):
    result = import_feed(runner, KILOPARSEC)

    assert result.output == 'Imported 2 entries from "Kiloparsec Weekly": 2 added, 0 skipped, 0 invalid.\n'
    stored = articles(app)
    lyra = stored["https://kiloparsec-weekly.example/articles/helio-lyra"]
    assert lyra.title == "Helio Systems ships its Lyra satellite modem"  # type="html": tags gone
    assert lyra.summary == "The Lyra modem talks to low-orbit constellations from a laptop-sized dish."
    assert lyra.source_author == "Tomás Herrera"  # the name, not the email address
    assert lyra.source_published_at == datetime(2026, 11, 4, 13, 15, tzinfo=UTC)  # published, not updated
    assert lyra.source_guid == "tag:kiloparsec-weekly.example,2026:entry-77"
    debris = stored["https://kiloparsec-weekly.example/articles/debris-data"]
    assert debris.source_author == "Lena Fischer, Sam Ortiz"
    assert debris.source_published_at == datetime(2026, 11, 3, 12, 0, tzinfo=UTC)  # only <updated>
    assert debris.paragraphs()[:2] == ["Everyone can now download the catalogue.", "Updates arrive hourly."]


def test_json_feed_entries_are_imported(app, runner):
    result = import_feed(runner, COPPER)

    assert result.output == 'Imported 3 entries from "The Copper Gazette": 3 added, 0 skipped, 0 invalid.\n'
    stored = articles(app)
    first = stored["https://copper-gazette.example/p/1"]
    assert first.title == "Tidewater Telecom turns off its 3G network"
    assert first.summary == "The last 3G masts go dark on Friday. Older phones lose data."
    assert first.source_author == "Grace Adeyemi"
    assert first.source_published_at == datetime(2026, 11, 5, 5, 0, tzinfo=UTC)
    second = stored["https://copper-gazette.example/p/2"]
    assert second.summary == "A 200 MWh battery for the port."  # the summary before the content
    assert second.source_author == "Old-style Author"  # JSON Feed 1.0's "author"
    assert second.source_published_at == datetime(2026, 11, 4, 20, 0, tzinfo=UTC)  # date_modified
    # A numeric id names an entry only within its feed: stored under the feed's home page.
    assert second.source_guid == "https://copper-gazette.example/ 2"
    third = stored["https://copper-gazette.example/p/3"]
    assert third.title.startswith("Marigold Media closes its podcast studio in Leeds.")
    assert third.paragraphs()[:2] == ["Marigold Media closes its podcast studio in Leeds.",
                                      "Staff move to the Manchester office."]
    assert third.source_published_at is None


# ---- hostile feeds ----------------------------------------------------------------------------

HOSTILE_MARKERS = ["<", "javascript:", "hx-", "onerror", "onclick", "onmouseover", "onload", "alert('",
                   'alert("title")', 'alert("body")', 'alert("name")', "evil-get", "evil-post", "position:fixed"]


def test_a_hostile_feed_is_stored_as_harmless_text(app, runner):
    result = import_feed(runner, HOSTILE)

    # The javascript: and data: links out are refused: nowhere safe to send readers.
    assert result.output == 'Imported 3 entries from "Evil Outlet": 1 added, 0 skipped, 2 invalid.\n'
    (story,) = articles(app).values()
    assert story.title == "Breaking news"
    assert story.source_author == "Mallory"
    for value in (story.title, story.summary, story.body, story.source_name, story.source_author):
        for marker in HOSTILE_MARKERS:
            assert marker not in value, (marker, value)
    # Markup the outlet escaped on purpose stays visible text.
    assert "&lt;script&gt;" in story.body


def test_a_hostile_feed_renders_as_text_on_the_article_page(app, runner, client):
    import_feed(runner, HOSTILE)
    (story,) = articles(app).values()

    response = client.get(f"/articles/{story.id}/{story.slug}")

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    for marker in ("javascript:", "evil-get", "evil-post", "onerror", "onclick", "onmouseover", "<iframe",
                   "evil.example/frame", 'alert("title")', 'alert("body")', "alert('"):
        assert marker not in page, marker
    # The only scripts are the site's own.
    for script in soup(response).find_all("script"):
        assert script.get("type") == "application/ld+json" or script["src"].startswith("/static/")
    parts = soup(response).select(".article-title, .article-summary, .article-body, .byline, "
                                  ".byline-original, .source-note, .article-footer .contact")
    assert parts
    for part in parts:
        for element in [part, *part.find_all(True)]:
            assert element.name not in {"script", "style", "iframe", "img", "svg", "form"}
            for attribute in element.attrs:
                assert not attribute.startswith(("on", "hx-", "data-hx-", "style")), (element.name, attribute)


def test_a_json_entry_with_a_lone_surrogate_is_skipped_and_the_rest_imported(app, runner, tmp_path):
    # JSON's \ud800 escape names half of a surrogate pair: no stored text can hold it alone.
    source = tmp_path / "feed.json"
    source.write_text("""{"version": "https://jsonfeed.org/version/1.1", "title": "Split \\ud800 Outlet",
        "home_page_url": "https://outlet.example/", "items": [
        {"id": "1", "url": "https://outlet.example/1", "title": "First story"},
        {"id": "2", "url": "https://outlet.example/2", "title": "Broken \\ud800 title"},
        {"id": "3", "url": "https://outlet.example/3", "title": "Third", "summary": "Half \\udfff a pair"},
        {"id": "4", "url": "https://outlet.example/4", "title": "A whole pair \\ud83d\\ude80 is fine"}]}""")
    result = import_feed(runner, source)
    assert result.exit_code == 0, result.output
    assert result.output == 'Imported 4 entries from "feed.json": 2 added, 0 skipped, 2 invalid.\n'
    assert sorted(a.title for a in articles(app).values()) == ["A whole pair 🚀 is fine", "First story"]


@pytest.mark.parametrize("reference", ["&#xD800;", "&#55296;", "&#xDFFF;", "&#x110000;", "&#99999999999999999999;"])
def test_an_rss_reference_to_no_character_does_not_lose_the_feed(app, runner, tmp_path, reference):
    # feedparser 6.0 raises on these (kurtmckee/feedparser#591); HTML reads them as U+FFFD.
    source = write_rss(tmp_path / "feed.xml", f"""
        <item><title>Before</title><link>https://outlet.example/1</link></item>
        <item><title>Odd {reference} title</title><link>https://outlet.example/2</link>
          <description>Text {reference} here</description></item>
        <item><title>After &#x41;&#0066; &#x1F680;</title><link>https://outlet.example/3</link></item>""")
    result = import_feed(runner, source)
    assert result.output == 'Imported 3 entries from "Outlet": 3 added, 0 skipped, 0 invalid.\n'
    stored = articles(app)
    assert stored["https://outlet.example/2"].title == "Odd \ufffd title"
    assert stored["https://outlet.example/2"].summary == "Text \ufffd here"
    assert stored["https://outlet.example/3"].title == "After AB 🚀"
