"""Importing entries as roundups: duplicates and races, sections and names, publishing, what readers see."""

from contextlib import contextmanager

import pytest
from sqlalchemy import event
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from portal.extensions import db
from portal.models import Article, Author, Section
from portal.wire import importer

from ..helpers import soup, story_ids
from .conftest import COPPER, KILOPARSEC, LEDGER, UNREACHABLE, articles, count, import_feed, write_rss

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


def test_a_race_on_the_same_entry_is_a_skip_not_a_crash(app, runner, monkeypatch, signals_sent):
    import_feed(runner, KILOPARSEC)
    stored = articles(app)
    signals_sent.clear()
    real = importer.known_keys
    looks = []

    def looked_too_early(keys):
        # The first look (before inserting) misses what another import has just stored.
        looks.append(set(keys))
        return set() if len(looks) == 1 else real(keys)

    monkeypatch.setattr(importer, "known_keys", looked_too_early)
    with refused_inserts(app) as refused:
        result = import_feed(runner, KILOPARSEC)

    assert result.exit_code == 0, result.output
    assert "0 added, 2 skipped, 0 invalid." in result.output
    assert count(app) == 2
    # The skips are the race's: the first look found nothing, the unique key refused each
    # insert, and each refusal was checked with a look at that entry's key alone.
    guids = {story.source_guid for story in stored.values()}
    assert looks[0] == guids | set(stored)
    assert refused == ["IntegrityError INSERT INTO articles"] * 2
    assert sorted(looks[1:], key=sorted) == sorted(({guid} for guid in guids), key=sorted)
    assert signals_sent == []


@contextmanager
def refused_inserts(app):
    """The statements the database refused inside the block, as "error STATEMENT table"."""
    refused = []

    def record(context):
        refused.append(f"{type(context.sqlalchemy_exception).__name__} "
                       + " ".join(context.statement.split()[:3]))

    with app.app_context():
        engine = db.engine
    event.listen(engine, "handle_error", record)
    try:
        yield refused
    finally:
        event.remove(engine, "handle_error", record)


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


# ---- publishing --------------------------------------------------------------------------

def announced_ids(sent) -> list[int]:
    """The ids story_published named, sorted; each was committed when it went out."""
    for name, named, visible in sent:
        assert name == "story_published" and visible == set(named), "announced before its commit"
    return sorted(story_id for _name, named, _visible in sent for story_id in named)


def test_import_feed_announces_each_added_story_once_after_its_commit(app, runner, signals_sent):
    import_feed(runner, LEDGER)

    added = sorted(story.id for story in articles(app).values())
    assert len(added) == 4
    assert announced_ids(signals_sent) == added

    signals_sent.clear()
    assert "0 added" in import_feed(runner, LEDGER).output
    assert signals_sent == []


def test_poll_feeds_announces_each_added_story_once_after_its_commit(app, runner, signals_sent):
    app.config["FEED_SOURCES"] = [str(LEDGER), UNREACHABLE, str(KILOPARSEC)]

    result = runner.invoke(args=["portal", "poll-feeds"])

    assert result.output.splitlines()[-1] == "Polled 3 sources: 2 read, 1 failed."
    added = sorted(story.id for story in articles(app).values())
    assert len(added) == 6
    assert announced_ids(signals_sent) == added


def test_a_failed_commit_announces_nothing(app, runner, signals_sent):
    """The database refuses to commit the Ledger's first roundup: poll-feeds rolls back, goes
    on with the next source, and only the stories that were stored are announced."""
    app.config["FEED_SOURCES"] = [str(LEDGER), str(KILOPARSEC)]

    def refuse_ledger_stories(session):
        rows = [*session.new, *session.identity_map.values()]
        if any(isinstance(row, Article) and "ledger-review" in row.source_url for row in rows):
            raise OperationalError("COMMIT", {}, Exception("disk I/O error"))

    event.listen(Session, "before_commit", refuse_ledger_stories)
    try:
        result = runner.invoke(args=["portal", "poll-feeds"])
    finally:
        event.remove(Session, "before_commit", refuse_ledger_stories)

    assert f"{LEDGER} skipped: database error (OperationalError)" in result.output.splitlines()
    stored = articles(app)
    assert {story.source_name for story in stored.values()} == {"Kiloparsec Weekly"}
    assert announced_ids(signals_sent) == sorted(story.id for story in stored.values())


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
