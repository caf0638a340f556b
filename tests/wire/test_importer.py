"""Importing other outlets' feeds as roundups: `portal import-feed SOURCE` and `portal poll-feeds`."""

import http.server
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from portal.wire import importer as feeds_in
from portal.extensions import db
from portal.models import Article, ArticleAuthor, Author, Kind, Section, Status

from ..helpers import soup, story_ids

FEEDS = Path(__file__).parents[1] / "fixtures" / "feeds"
LEDGER = FEEDS / "ledger_review_rss.xml"
KILOPARSEC = FEEDS / "kiloparsec_weekly_atom.xml"
COPPER = FEEDS / "copper_gazette.json"
HOSTILE = FEEDS / "hostile_rss.xml"
UNREACHABLE = "http://127.0.0.1:1/feed.xml"


def import_feed(runner, source, *extra):
    return runner.invoke(args=["portal", "import-feed", str(source), *extra])


def articles(app) -> dict[str, Article]:
    """Every stored story by its link out, detached with its section and wire author loaded."""
    with app.app_context():
        rows = db.session.scalars(select(Article)).all()
        for row in rows:
            row.section_name = db.session.get(Section, row.section_id).name
            row.byline_names = [
                db.session.get(Author, author_id).name
                for author_id in db.session.scalars(
                    select(ArticleAuthor.author_id).where(ArticleAuthor.article_id == row.id)
                )
            ]
        db.session.expunge_all()
        return {row.source_url: row for row in rows}


def count(app, model=Article) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def write_rss(path: Path, items: str, home="https://outlet.example/") -> Path:
    path.write_text(f"""<?xml version="1.0"?><rss version="2.0"><channel>
        <title>Outlet</title><link>{home}</link>{items}</channel></rss>""")
    return path


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


# ---- duplicates -----------------------------------------------------------------------------

@pytest.mark.parametrize("feed, found, added", [(LEDGER, 6, 4), (KILOPARSEC, 2, 2), (COPPER, 3, 3)])
def test_importing_the_same_feed_again_adds_nothing(app, runner, feed, found, added):
    import_feed(runner, feed)
    before = count(app)
    assert before == added

    again = import_feed(runner, feed)

    assert again.exit_code == 0
    invalid = found - added - (1 if feed == LEDGER else 0)
    assert f"{found} entries" in again.output
    assert f": 0 added, {found - invalid} skipped, {invalid} invalid." in again.output
    assert count(app) == before
    assert count(app, Author) == 1  # the wire desk, made once


def test_entries_without_a_guid_are_deduplicated_by_link(app, runner, tmp_path):
    feed = write_rss(tmp_path / "a.xml", """
        <item><title>First</title><link>https://outlet.example/1</link></item>
        <item><title>First, again</title><link>https://outlet.example/1</link></item>""")
    assert "1 added, 1 skipped" in import_feed(runner, feed).output

    # The feed later gives the same story a GUID: its link already names a stored entry.
    later = write_rss(tmp_path / "b.xml", """
        <item><title>First</title><link>https://outlet.example/1</link><guid isPermaLink="false">x1</guid></item>
        <item><title>Second</title><link>https://outlet.example/2</link></item>""")
    assert "1 added, 1 skipped" in import_feed(runner, later).output
    assert sorted(articles(app)) == ["https://outlet.example/1", "https://outlet.example/2"]


def test_plain_guids_of_different_feeds_do_not_collide(app, runner, tmp_path):
    one = write_rss(tmp_path / "one.xml", '<item><title>A</title><link>https://one.example/a</link>'
                    '<guid isPermaLink="false">1</guid></item>', home="https://one.example/")
    two = write_rss(tmp_path / "two.xml", '<item><title>B</title><link>https://two.example/b</link>'
                    '<guid isPermaLink="false">1</guid></item>', home="https://two.example/")

    assert "1 added" in import_feed(runner, one).output
    assert "1 added" in import_feed(runner, two).output
    assert count(app) == 2


def test_a_race_on_the_same_entry_is_a_skip_not_a_crash(app, runner, monkeypatch):
    import_feed(runner, KILOPARSEC)
    real = feeds_in.known_keys
    calls = []

    def looked_too_early(keys):
        # The first look (before inserting) misses what another import has just stored.
        calls.append(keys)
        return set() if len(calls) == 1 else real(keys)

    monkeypatch.setattr(feeds_in, "known_keys", looked_too_early)
    result = import_feed(runner, KILOPARSEC)

    assert result.exit_code == 0, result.output
    assert "0 added, 2 skipped, 0 invalid." in result.output
    assert count(app) == 2


# ---- sections, names -------------------------------------------------------------------------

def test_roundups_go_to_the_configured_section_or_else_the_first(app, runner, factory):
    factory.section("World")
    import_feed(runner, KILOPARSEC)
    assert {a.section_name for a in articles(app).values()} == {"World"}

    factory.section("Business & Tech")
    import_feed(runner, COPPER)
    copper = [a for a in articles(app).values() if a.source_name == "The Copper Gazette"]
    assert {a.section_name for a in copper} == {"Business & Tech"}
    assert count(app, Section) == 2


def test_the_outlet_name_can_be_given(app, runner):
    result = import_feed(runner, KILOPARSEC, "--name", "KPC Weekly")
    assert result.output.startswith('Imported 2 entries from "KPC Weekly"')
    assert {a.source_name for a in articles(app).values()} == {"KPC Weekly"}


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


# ---- unreadable sources -----------------------------------------------------------------------

def test_a_source_that_cannot_be_read_or_parsed_fails_with_one_line(app, runner, tmp_path):
    broken = tmp_path / "broken.xml"
    broken.write_text("<html><body>This is a web page, <b>not a feed</b>")
    not_json = tmp_path / "feed.json"
    not_json.write_text('{"items": [1, 2')
    cases = {
        str(tmp_path / "missing.xml"): "no such file",
        str(tmp_path): "is a directory",
        str(broken): "not an RSS, Atom or JSON feed",
        str(not_json): "not valid JSON",
        "ftp://files.example/feed.xml": "only http and https URLs",
        UNREACHABLE: "could not connect to 127.0.0.1:1",
    }
    for source, message in cases.items():
        result = import_feed(runner, source)
        assert result.exit_code == 1, source
        assert message in result.output, result.output
        assert result.output.count("\n") == 1, result.output
    assert count(app) == 0


def test_a_valid_feed_without_entries_is_not_an_error(app, runner, tmp_path):
    result = import_feed(runner, write_rss(tmp_path / "empty.xml", ""))
    assert result.exit_code == 0
    assert result.output == 'Imported 0 entries from "Outlet": 0 added, 0 skipped, 0 invalid.\n'


def test_a_file_larger_than_the_cap_is_refused(app, runner):
    app.config["FEED_MAX_BYTES"] = 1000
    result = import_feed(runner, LEDGER)
    assert result.exit_code == 1
    assert "larger than the 1,000-byte limit" in result.output
    assert count(app) == 0


# ---- URL sources ------------------------------------------------------------------------------

class FeedServer:
    """A small HTTP server on 127.0.0.1 serving canned responses, recording request headers."""

    def __init__(self):
        self.routes = {}
        self.requests = []
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                outer.requests.append(dict(self.headers))
                status, content_type, body, announce_length = outer.routes.get(
                    self.path, (404, "text/plain", b"not here", True))
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                if announce_length:
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)  # without a length, the body ends when the connection closes

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def serve(self, path, body: bytes, content_type="application/rss+xml", status=200, announce_length=True):
        self.routes[path] = (status, content_type, body, announce_length)
        return self.url + path

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join()


@pytest.fixture
def feed_server():
    server = FeedServer()
    yield server
    server.close()


def test_a_url_source_is_fetched_and_imported(app, runner, feed_server):
    rss = feed_server.serve("/ledger.xml", LEDGER.read_bytes())
    json_feed = feed_server.serve("/copper.json", COPPER.read_bytes(), content_type="application/feed+json")

    assert "4 added, 1 skipped, 1 invalid." in import_feed(runner, rss).output
    assert "3 added, 0 skipped, 0 invalid." in import_feed(runner, json_feed).output
    assert count(app) == 7
    agent = feed_server.requests[0]["User-Agent"]
    assert agent.startswith("Tech Desk feed importer")


def test_relative_links_resolve_against_the_feed_url(app, runner, feed_server):
    url = feed_server.serve("/news/feed.xml", b"""<?xml version="1.0"?><rss version="2.0"><channel>
        <title>Relative</title><item><title>Here</title><link>/news/here</link></item></channel></rss>""")
    assert "1 added" in import_feed(runner, url).output
    assert list(articles(app)) == [feed_server.url + "/news/here"]


@pytest.mark.parametrize("announce_length, how", [(True, "announced"), (False, "as it streamed in")])
def test_a_url_larger_than_the_cap_is_refused(app, runner, feed_server, announce_length, how):
    app.config["FEED_MAX_BYTES"] = 2000
    padding = b"<!-- " + b"x" * 50_000 + b" -->"
    url = feed_server.serve("/huge.xml", LEDGER.read_bytes().replace(b"<channel>", b"<channel>" + padding),
                            announce_length=announce_length)

    result = import_feed(runner, url)

    assert result.exit_code == 1
    assert "larger than the 2,000-byte limit (PORTAL_FEED_MAX_BYTES" in result.output
    assert how in result.output
    assert count(app) == 0


def test_an_http_error_is_reported(app, runner, feed_server):
    result = import_feed(runner, feed_server.url + "/gone.xml")
    assert result.exit_code == 1
    assert "HTTP 404" in result.output


# ---- poll-feeds -------------------------------------------------------------------------------

def test_poll_feeds_imports_every_source_and_reports_the_broken_ones(app, runner, tmp_path):
    app.config["FEED_SOURCES"] = [
        {"name": "Ledger (wire)", "url": str(LEDGER)},
        str(tmp_path / "missing.xml"),
        {"name": "Nowhere", "url": UNREACHABLE},
        str(KILOPARSEC),
    ]

    result = runner.invoke(args=["portal", "poll-feeds"])

    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert 'Imported 6 entries from "Ledger (wire)": 4 added, 1 skipped, 1 invalid.' in lines
    assert f"{tmp_path / 'missing.xml'} skipped: no such file" in lines
    assert any(line.startswith(f'"Nowhere" ({UNREACHABLE}) skipped: could not connect') for line in lines)
    assert 'Imported 2 entries from "Kiloparsec Weekly": 2 added, 0 skipped, 0 invalid.' in lines
    assert lines[-1] == "Polled 4 sources: 2 read, 2 failed."
    assert count(app) == 6
    assert {a.source_name for a in articles(app).values()} == {"Ledger (wire)", "Kiloparsec Weekly"}

    again = runner.invoke(args=["portal", "poll-feeds"])
    assert "0 added, 5 skipped, 1 invalid." in again.output
    assert count(app) == 6


def test_poll_feeds_fails_only_when_every_source_failed(app, runner, tmp_path):
    app.config["FEED_SOURCES"] = [str(tmp_path / "missing.xml"), UNREACHABLE, {"title": "no url"}]
    result = runner.invoke(args=["portal", "poll-feeds"])
    assert result.exit_code == 1
    assert "Source 3 skipped" in result.output
    assert result.output.splitlines()[-1] == "Polled 3 sources: 0 read, 3 failed."


def test_poll_feeds_without_sources_says_so(runner):
    result = runner.invoke(args=["portal", "poll-feeds"])
    assert result.exit_code == 0
    assert "No feed sources configured" in result.output


def test_feed_sources_accept_a_plain_string_of_urls():
    assert feeds_in.configured_sources("https://a.example/feed https://b.example/feed") == [
        (None, "https://a.example/feed"), (None, "https://b.example/feed")]
    assert feeds_in.configured_sources([{"name": " ", "url": "x.xml"}, 3]) == [(None, "x.xml"), (None, None)]


# ---- what readers see -------------------------------------------------------------------------

def test_imported_stories_top_the_front_page_in_feed_order(app, runner, client, factory):
    older = factory.story("Our own story", minutes_ago=1)
    import_feed(runner, LEDGER)
    stored = articles(app)
    in_feed_order = [stored[link].id for link in (
        "https://ledger-review.example/2026/11/northwind-raise",
        "https://ledger-review.example/2026/11/meridian-fees",
        "https://ledger-review.example/2026/11/chip-export-briefing",
        "https://ledger-review.example/2026/11/untitled-note",
    )]

    assert story_ids(client.get("/"))[:5] == [*in_feed_order, older.id]


def test_an_imported_story_sends_readers_to_the_source(app, runner, client):
    import_feed(runner, LEDGER)
    story = articles(app)["https://ledger-review.example/2026/11/northwind-raise"]

    response = client.get(f"/articles/{story.id}/{story.slug}")

    page = soup(response)
    assert "Contact reporter" not in response.get_data(as_text=True)
    link = page.select_one(".article-footer .contact a")
    assert link.get_text(strip=True) == "Read the full story at The Ledger Review"
    assert link["href"] == "https://ledger-review.example/2026/11/northwind-raise"
    assert "By Wire Desk" in page.select_one(".byline").get_text(" ", strip=True)
    original = page.select_one(".byline-original")
    assert original.get_text(" ", strip=True).startswith("Originally by Priya Natarajan,")
    assert original.time["datetime"].startswith("2026-11-03T08:00:00")


def test_an_imported_story_without_author_or_date_shows_no_original_line(app, runner, client):
    import_feed(runner, LEDGER)
    story = articles(app)["https://ledger-review.example/2026/11/chip-export-briefing"]
    page = soup(client.get(f"/articles/{story.id}/{story.slug}"))
    assert page.select_one(".byline-original") is None
    assert page.select_one(".article-footer .contact a")["href"] == story.source_url
