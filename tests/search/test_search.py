"""Search: ranking, marking, an index that follows the stories, odd queries, paging, and the
migration that builds the index. Every test runs on SQLite and, with PORTAL_TEST_DATABASE_URL,
on PostgreSQL."""

import random
import time
from datetime import timedelta

import pytest
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade
from sqlalchemy import delete, inspect, select, text

import portal.search.engines
import portal.search.query
import portal.search.views
from portal import create_app
from portal.demo.loader import load_demo
from portal.extensions import db
from portal.models import Article, Status, utcnow
from portal.search.engines import search
from portal.search.query import clean_query, fts5_query, marked, parse_query, websearch_query
from portal.search.slots import SearchSlots

from ..conftest import _apps, database_url, make_app
from ..helpers import soup

HX = {"HX-Request": "true"}
PREVIOUS_REVISION = "581d2b12aaeb"


def hit_ids(response) -> list[int]:
    return [int(li["id"].removeprefix("story-")) for li in soup(response).select("li.search-hit")]


def found(app, query) -> list[int]:
    with app.test_request_context():
        return [hit.article.id for hit in search(query).hits]


# ---- ranking and marking ----------------------------------------------------------------------

def test_a_title_match_outranks_summary_and_body_matches(client, factory):
    in_body = factory.story("Materials roundup", minutes_ago=1,
                            body="Labs discussed graphene today.\n\nMore graphene news followed.")
    in_summary = factory.story("Battery makers meet", minutes_ago=2, summary="Graphene was on the agenda.")
    in_title = factory.story("Graphene batteries charge in minutes", minutes_ago=30, body="Nothing else.")
    factory.story("Unrelated story", minutes_ago=0)
    response = client.get("/search?q=graphene")
    assert response.status_code == 200
    assert hit_ids(response) == [in_title.id, in_summary.id, in_body.id]
    assert soup(response).select_one(".search-summary").get_text() == "3 stories match “graphene”"


def test_equal_matches_are_listed_newest_first(client, factory):
    now = utcnow()
    older = factory.story("Lidar sensors get cheaper", published_at=now - timedelta(hours=2))
    same_time_a = factory.story("Lidar sensors get cheaper", published_at=now - timedelta(hours=1))
    same_time_b = factory.story("Lidar sensors get cheaper", published_at=now - timedelta(hours=1))
    newest = factory.story("Lidar sensors get cheaper", published_at=now - timedelta(minutes=5))
    assert hit_ids(client.get("/search?q=lidar")) == [newest.id, same_time_b.id, same_time_a.id, older.id]


def test_only_published_stories_are_found(app, factory):
    published = factory.story("Fusion startup raises funds")
    factory.story("Fusion startup draft", status=Status.draft)
    assert found(app, "fusion") == [published.id]


def test_matches_are_marked_and_the_story_text_is_escaped(client, factory):
    title = "Quantum <script>alert('x')</script> leap"
    story = factory.story(title, summary="Why <b>quantum</b> matters & what's next.")
    response = client.get("/search?q=quantum")
    html = response.get_data(as_text=True)
    assert "<script>alert" not in html and "<b>quantum" not in html
    row = soup(response).select_one(f"#story-{story.id}")
    link = row.select_one(".story-title a")
    assert link.get_text() == title
    assert [m.get_text() for m in link.select("mark")] == ["Quantum"]
    excerpt = row.select_one(".search-excerpt")
    assert excerpt.get_text() == "Why <b>quantum</b> matters & what's next."
    assert [m.get_text() for m in excerpt.select("mark")] == ["quantum"]
    assert not row.select("script, b")


def test_the_excerpt_comes_from_the_body_when_the_summary_lacks_the_words(client, factory):
    filler = "Plain words fill this paragraph. " * 30
    story = factory.story("Chip news", summary="A short summary.",
                          body=f"{filler}\n\nThe neuromorphic design uses less power. {filler}")
    row = soup(client.get("/search?q=neuromorphic")).select_one(f"#story-{story.id}")
    excerpt = row.select_one(".search-excerpt")
    assert [m.get_text() for m in excerpt.select("mark")] == ["neuromorphic"]
    assert "…" in excerpt.get_text()
    assert len(excerpt.get_text()) < 400  # a passage, not the whole body


def test_a_story_without_the_words_in_its_summary_shows_the_summary_unmarked(client, factory):
    story = factory.story("Robotics weekly", summary="Machines & <more>.", body="Nothing to see.")
    excerpt = soup(client.get("/search?q=robotics")).select_one(f"#story-{story.id} .search-excerpt")
    assert excerpt.get_text() == "Machines & <more>."
    assert not excerpt.select("mark")


def test_marks_stay_balanced_whatever_the_text_contains():
    # The engines' markers are private-use characters; a story could contain them too.
    assert marked("a\ue001b\ue000c\ue000d\ue001e\ue000f") == "ab<mark>cd</mark>e<mark>f</mark>"
    assert marked("<i>\ue000x&y\ue001") == "&lt;i&gt;<mark>x&amp;y</mark>"


# ---- the index follows the stories -------------------------------------------------------------

def test_the_index_follows_stories_added_changed_unpublished_and_deleted(app, factory):
    story = factory.story("Solar panels on every roof", body="Installers are busy.")
    assert found(app, "solar") == [story.id]

    with app.app_context():
        article = db.session.get(Article, story.id)
        article.title = "Heat pumps in every home"
        db.session.commit()
    assert found(app, "solar") == []
    assert found(app, "heat pumps") == [story.id]
    assert found(app, "installers") == [story.id]

    with app.app_context():
        db.session.get(Article, story.id).body = "Plumbers are busy."
        db.session.commit()
    assert found(app, "installers") == []
    assert found(app, "plumbers") == [story.id]

    factory.set_status(story.id, Status.draft)
    assert found(app, "heat") == []
    factory.set_status(story.id, Status.published)
    assert found(app, "heat") == [story.id]

    with app.app_context():
        db.session.execute(delete(Article).where(Article.id == story.id))
        db.session.commit()
    assert found(app, "heat") == []
    assert found(app, "plumbers") == []


def test_deleting_a_story_through_the_session_drops_it_from_results(app, factory):
    keep = factory.story("Drone deliveries expand")
    gone = factory.story("Drone deliveries pause")
    with app.app_context():
        db.session.delete(db.session.get(Article, gone.id))
        db.session.commit()
    assert found(app, "drone") == [keep.id]


# ---- queries ----------------------------------------------------------------------------------

ODD_QUERIES = [
    "", "   ", "x" * 1000, "word " * 300, '"""', '"', 'NEAR(a b)', "NEAR", "*", "fo*", "-", "--", "foo -bar",
    "-foo", "(((", ")))", "a OR", "OR", "OR OR", "AND", "NOT", "a AND NOT b", "?!.,", "title:foo",
    "body : x", "^foo", "foo + bar", "{foo}", "[x]", "'; DROP TABLE articles; --", "%", "_", "\\",
    "Grüße 日本語 café", "emoji 🚀", "\u200b", "\x00abc", "a\x00b", "\ue000mark\ue001",
]


@pytest.mark.parametrize("query", ODD_QUERIES)
def test_odd_queries_get_a_page_not_an_error(client, factory, query):
    factory.story("Foo and bar walk into a café", body="NEAR the title: foo -bar.")
    for headers in ({}, HX):
        response = client.get("/search", query_string={"q": query}, headers=headers)
        assert response.status_code == 200, query
        page = soup(response)
        assert page.select(".search-message, .search-summary"), f"{query!r}: no results and no message"


@pytest.mark.parametrize("query", ['"""', "*", "-", "(((", "?!.,", "- * ( ) \" :", "_"])
def test_a_query_without_words_says_so(client, query):
    message = soup(client.get("/search", query_string={"q": query})).select_one(".search-message")
    assert message.get_text() == (
        "Search for words or numbers: punctuation and operators alone match nothing."
    )


def test_an_empty_query_shows_the_form_and_a_hint(client):
    response = client.get("/search")
    assert response.status_code == 200
    page = soup(response)
    form = page.select_one('main form[role="search"]')
    assert form["action"] == "/search" and form.get("method") == "get"
    field = form.select_one('input[name="q"]')
    assert page.select_one(f'label[for="{field["id"]}"]').get_text() == "Search stories"
    assert page.select_one(".search-message").get_text().startswith("Search the headlines")
    assert not page.select("li.search-hit")


def test_a_long_query_is_shortened_and_the_page_says_so(client, factory):
    factory.story("Graphene batteries")
    response = client.get("/search", query_string={"q": "graphene " + "x" * 500})
    page = soup(response)
    assert "yours was shortened" in page.select_one(".search-note").get_text()
    assert len(page.select_one("#search-q")["value"]) <= portal.search.query.MAX_QUERY_LENGTH


def test_nothing_found_says_so(client, factory):
    factory.story("Graphene batteries")
    message = soup(client.get("/search?q=zeppelin")).select_one(".search-message").get_text()
    assert message == "No stories match “zeppelin”. Try fewer or different words."


def test_phrases_exclusions_and_alternatives(app, factory):
    chips = factory.story("Memory chips get faster", minutes_ago=1)
    prices = factory.story("Chips and memory prices fall", minutes_ago=2)
    robots = factory.story("Warehouse robots", minutes_ago=3)
    assert set(found(app, "memory chips")) == {chips.id, prices.id}
    assert found(app, '"memory chips"') == [chips.id]
    assert found(app, "chips -prices") == [chips.id]
    assert set(found(app, "prices OR robots")) == {prices.id, robots.id}
    assert set(found(app, "prices or warehouse")) == {prices.id, robots.id}
    assert found(app, "-chips") == []  # nothing to look for: an exclusion alone


def test_the_query_reaches_each_engine_quoted():
    groups = parse_query('memory "fast chips" -price OR NEAR(a "b""c" title:x * -')
    assert fts5_query(groups) == '("memory" "fast chips") NOT "price" OR ("NEAR(a" "b" "c" "title:x")'
    assert websearch_query(groups) == '"memory" "fast chips" -"price" or "NEAR(a" "b" "c" "title:x"'
    assert clean_query("  a\x00b\n\tc\ue000 ") == ("a b c", False)


def test_queries_from_random_operator_soup_never_fail(app, factory):
    factory.story("Foo bar baz", summary="Near and far.", body="Quoted \"text\" (with) parens - and * stars.")
    alphabet = ['"', "'", "(", ")", "*", "-", "+", ":", "^", "NEAR", "AND", "OR", "NOT", "foo", "bar", " ",
                "\\", "{", "}", ",", ".", "é", "_"]
    rng = random.Random(20261126)
    with app.test_request_context():
        for _ in range(300):
            query = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 12)))
            search(query)  # raises on an engine syntax error


def test_search_runs_a_fixed_number_of_statements(client, factory, count_statements):
    factory.stories(25, title="Graphene sheet")
    with count_statements as counter:
        response = client.get("/search?q=graphene", headers=HX)
    assert len(hit_ids(response)) == 20
    # read the content version (the page cache's key); rank the ids; mark one page and load its
    # stories and their sections, in one statement (and on PostgreSQL, set the search's statement
    # timeout and put the configured one back)
    with client.application.app_context():
        budget_statements = 2 if db.engine.dialect.name == "postgresql" else 0
    assert counter.count == 1 + 2 + budget_statements


def test_the_query_is_escaped_in_the_form_and_the_messages(client):
    response = client.get("/search", query_string={"q": '"><script>alert(1)</script>'})
    html = response.get_data(as_text=True)
    assert "<script>alert(1)" not in html
    assert soup(response).select_one("#search-q")["value"] == '"><script>alert(1)</script>'


# ---- bounded cost: caps, a time budget, turns -------------------------------------------------

def message_of(response) -> str:
    return soup(response).select_one(".search-message").get_text()


@pytest.mark.parametrize("query", [
    "one two three four five six seven eight nine ten eleven",
    '"one two three four five six" seven eight nine ten -eleven',
    "one OR two OR three OR four OR five",
])
def test_a_query_past_the_caps_is_refused_unsearched_and_the_page_says_why(client, factory, count_statements,
                                                                          query):
    factory.story("One two three four five six seven eight nine ten eleven")
    with count_statements as counter:
        response = client.get("/search", query_string={"q": query}, headers=HX)
    assert response.status_code == 200
    refusal = portal.search.engines.TOO_MANY_WORDS
    assert message_of(response) == refusal
    assert "too broad" in refusal and "Narrow it" in refusal
    assert not hit_ids(response)
    # nothing reached the database but the page cache's read of the content version
    assert [s for s in counter.statements if "content_version" not in s] == []
    # the query is kept whole in the box, for the reader to narrow
    assert soup(client.get("/search", query_string={"q": query})).select_one("#search-q")["value"] == query


def test_a_query_at_the_caps_is_searched(app, factory):
    story = factory.story("One two three four five six seven eight nine ten")
    assert found(app, "one two three OR four five OR six seven OR eight nine ten") == [story.id]
    assert found(app, '"one two three four five" six seven eight nine -eleven') == [story.id]


def test_the_search_hint_tells_the_reader_the_caps(client):
    hint = soup(client.get("/search")).select_one("#search-hint").get_text()
    caps = portal.search.query
    assert f"up to {caps.MAX_WORDS} words and {caps.MAX_ALTERNATIVES} alternatives" in hint


@pytest.fixture
def crowded_app(tmp_path):
    """5,000 demo stories, most of them with each of the words of BROAD, and a 1 ms search budget:
    ranking them takes several times that on either engine, however fast the machine."""
    made = make_app(tmp_path, SEARCH_TIME_BUDGET=1)
    with made.app_context():
        load_demo(articles=5000)
    return made


BROAD = "customers OR month OR plan OR year"  # not stop words, so PostgreSQL looks for them too


def test_a_search_past_its_time_budget_is_stopped_as_too_broad_and_the_app_carries_on(crowded_app):
    client = crowded_app.test_client()
    for headers in (HX, {}):
        response = client.get("/search", query_string={"q": BROAD}, headers=headers)
        assert response.status_code == 200
        assert message_of(response) == portal.search.engines.TOO_SLOW
        assert not hit_ids(response)
    # The connection the stopped search ran on is healthy, and keeps no budget of its own:
    # without one the same search finds its stories.
    crowded_app.config["SEARCH_TIME_BUDGET"] = 0
    crowded_app.config["PAGE_CACHE"] = False  # the same URL, searched under another setting
    response = client.get("/search", query_string={"q": BROAD})
    assert response.status_code == 200
    assert len(hit_ids(response)) == portal.search.engines.PAGE_SIZE
    assert client.get("/").status_code == 200


def test_a_budget_past_the_statement_timeout_still_answers_too_broad(crowded_app):
    """On PostgreSQL the budget is held to the statement timeout: past it, the client-side bound
    on database waits would end the search as an outage (the 503 page)."""
    with crowded_app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("SQLite has no statement timeout: its budget alone bounds a search")
    crowded_app.config.update(SEARCH_TIME_BUDGET=10**6, DB_STATEMENT_TIMEOUT=1)
    response = crowded_app.test_client().get("/search", query_string={"q": BROAD})
    assert response.status_code == 200
    assert message_of(response) == portal.search.engines.TOO_SLOW


def test_the_budget_holds_for_the_search_alone(tmp_path, factory_for):
    app = make_app(tmp_path, SEARCH_TIME_BUDGET=100)
    story = factory_for(app).story("Graphene batteries")
    slow = {  # each takes several times the budget
        "sqlite": "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 500000) "
                  "SELECT count(*) FROM n",
        "postgresql": "SELECT pg_sleep(0.4)",
    }
    with app.test_request_context():
        assert [hit.article.id for hit in search("graphene").hits] == [story.id]
        db.session.execute(text(slow[db.engine.dialect.name]))  # same transaction, no budget


def test_searches_past_the_concurrency_limit_wait_their_turn_or_are_told_to_try_again(tmp_path, factory_for,
                                                                                        monkeypatch):
    app = make_app(tmp_path, SEARCH_CONCURRENCY=1, SEARCH_QUEUE=1)
    story = factory_for(app).story("Graphene batteries")
    client = app.test_client()
    unpatched_wait = portal.search.engines.MAX_WAIT
    monkeypatch.setattr(portal.search.engines, "MAX_WAIT", 0.05)  # search() waits this long for a turn
    slots = app.extensions["search_slots"]
    with slots.turn(0) as mine:  # this process's one search request, running
        assert mine
        response = client.get("/search?q=graphene", headers=HX)
        assert response.status_code == 200
        assert message_of(response) == portal.search.engines.BUSY
    # Another worker process (its own slots, the same lock files) waits for the running search.
    other_worker = SearchSlots(app.instance_path, running=1, held=1)
    with other_worker.turn(0) as theirs:
        assert theirs
        started = time.monotonic()
        response = client.get("/search?q=graphene", headers=HX)
        waited = time.monotonic() - started
        assert message_of(response) == portal.search.engines.BUSY
    assert 0.05 <= waited < unpatched_wait  # it waited its turn, for as long as the patched MAX_WAIT
    assert hit_ids(client.get("/search?q=graphene", headers=HX)) == [story.id]


# ---- one URL, two answers ---------------------------------------------------------------------

def test_fragment_for_htmx_and_full_page_otherwise(client, factory):
    story = factory.story("Graphene batteries")
    fragment = client.get("/search?q=graphene", headers=HX)
    assert fragment.status_code == 200
    assert "HX-Request" in fragment.headers["Vary"]
    body = fragment.get_data(as_text=True)
    assert "<html" not in body and "<form" not in body
    assert hit_ids(fragment) == [story.id]
    # htmx sets the tab's title from the fragment's <title>
    assert soup(fragment).title.get_text() == "Search: graphene · Tech Desk"

    for headers in ({}, {**HX, "HX-Boosted": "true"}, {**HX, "HX-History-Restore-Request": "true"}):
        full = client.get("/search?q=graphene", headers=headers)
        assert "HX-Request" in full.headers["Vary"]
        page = soup(full)
        assert page.select_one("html") is not None
        assert page.title.get_text() == "Search: graphene · Tech Desk"
        assert page.select_one('meta[name="robots"]')["content"] == "noindex"
        assert page.select_one("#search-q")["value"] == "graphene"
        assert [li["id"] for li in page.select("#search-results li.search-hit")] == [f"story-{story.id}"]


def test_the_search_box_is_wired_for_active_search(client):
    page = soup(client.get("/search"))
    form = page.select_one("main form.search-form")
    field = form.select_one("#search-q")
    assert field["type"] == "search"
    assert field["hx-get"] == "/search" and form["hx-get"] == "/search"
    assert "input changed delay:" in field["hx-trigger"]
    assert field["hx-target"] == form["hx-target"] == "#search-results"
    assert field["hx-replace-url"] == form["hx-replace-url"] == "true"
    assert page.select_one("#search-results") is not None


def test_every_other_page_has_a_search_form_in_the_masthead(client, factory):
    factory.story("Graphene batteries")
    form = soup(client.get("/")).select_one('header.masthead form[role="search"]')
    assert form["action"] == "/search"
    field = form.select_one('input[name="q"]')
    label = form.select_one(f'label[for="{field["id"]}"]')
    assert label.get_text() == "Search stories"
    # the search page has its own form, so only one search box there
    assert len(soup(client.get("/search")).select('input[name="q"]')) == 1


# ---- paging -----------------------------------------------------------------------------------

def test_results_page_on_to_the_depth_cap(client, factory, monkeypatch):
    # search() pages and caps its results; the view refuses a page number past the cap.
    monkeypatch.setattr(portal.search.engines, "PAGE_SIZE", 3)
    monkeypatch.setattr(portal.search.engines, "MAX_PAGES", 3)
    monkeypatch.setattr(portal.search.views, "MAX_PAGES", 3)
    stories = factory.stories(11, title="Graphene sheet")  # newest first; equal matches
    url, seen = "/search?q=graphene", []
    for _ in range(5):
        response = client.get(url)
        seen.append(hit_ids(response))
        link = soup(response).select_one('a[rel="next"]')
        if link is None:
            break
        url = link["href"]
    assert seen == [[s.id for s in stories[i:i + 3]] for i in (0, 3, 6)]
    last = soup(response)
    assert last.select_one(".search-summary").get_text() == "9+ stories match “graphene”; showing 7–9"
    assert "Results stop here" in last.select_one(".search-note").get_text()
    assert last.select_one('a[rel="prev"]')["href"] == "/search?q=graphene&page=2"

    too_deep = client.get("/search?q=graphene&page=4")
    assert too_deep.status_code == 400
    assert "Search results stop at page 3" in too_deep.get_data(as_text=True)


def test_a_fragment_carries_the_paging_links_too(client, factory, monkeypatch):
    monkeypatch.setattr(portal.search.engines, "PAGE_SIZE", 2)
    factory.stories(3, title="Graphene sheet")
    response = client.get("/search?q=graphene", headers=HX)
    assert len(hit_ids(response)) == 2
    fragment = soup(response)
    assert fragment.select_one('a[rel="next"]')["href"] == "/search?q=graphene&page=2"


def test_previous_and_more_results_are_items_of_their_own(client, factory, monkeypatch):
    # Text browsers run links together unless something separates them: here, a list.
    monkeypatch.setattr(portal.search.engines, "PAGE_SIZE", 2)
    factory.stories(5, title="Graphene sheet")
    pages = soup(client.get("/search?q=graphene&page=2")).select_one("nav.search-pages")
    items = pages.select("ul > li")
    assert [item.get_text(strip=True) for item in items] == ["Previous results", "More results"]
    assert [item.a["rel"] for item in items] == [["prev"], ["next"]]


@pytest.mark.parametrize("page", ["0", "-1", "abc", "1.5", "", "²", "٣", "99999999999999999999", "11"])
def test_a_bad_page_number_is_a_400_with_a_reason(client, page):
    response = client.get("/search", query_string={"q": "graphene", "page": page})
    assert response.status_code == 400
    reason = soup(response).select_one(".error-reason").get_text()
    assert "page" in reason


def test_a_page_past_the_last_result_says_so(client, factory):
    factory.story("Graphene batteries")
    page = soup(client.get("/search?q=graphene&page=2"))
    assert page.select_one(".search-message").get_text().startswith("No more results for “graphene”.")
    assert page.select_one(".search-message a")["href"] == "/search?q=graphene"


# ---- the index as the migrations build it ------------------------------------------------------

def empty_app(tmp_path):
    """An app on an empty database (no create_all), as a new deployment starts."""
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": database_url(tmp_path)})
    _apps.append(app)
    return app


def search_objects(app) -> list[tuple]:
    """The search index objects in the app's database, as the database describes them."""
    with app.app_context(), db.engine.connect() as connection:
        if connection.dialect.name == "sqlite":
            rows = connection.execute(text(
                "SELECT type, name, sql FROM sqlite_master WHERE name LIKE 'articles_fts%' ORDER BY name"
            ))
            return [tuple(row) for row in rows]
        rows = connection.execute(text(
            "SELECT indexname, replace(indexdef, current_schema() || '.', '') FROM pg_indexes "
            "WHERE schemaname = current_schema() AND indexname = 'ix_articles_search'"
        ))
        return [tuple(row) for row in rows]


def test_the_migration_builds_the_same_index_as_create_all(tmp_path, app):
    (tmp_path / "migrated").mkdir()
    migrated = empty_app(tmp_path / "migrated")
    with migrated.app_context():
        upgrade()
    built = search_objects(migrated)
    assert built, "the migration made the search index"
    assert built == search_objects(app)


def test_the_migration_built_index_finds_and_follows_stories(tmp_path, factory_for):
    app = empty_app(tmp_path)
    with app.app_context():
        upgrade()
    factory = factory_for(app)
    story = factory.story("Graphene batteries charge in minutes")
    factory.story("Graphene draft", status=Status.draft)
    assert found(app, "graphene") == [story.id]
    with app.app_context():
        db.session.get(Article, story.id).title = "Sodium batteries charge in minutes"
        db.session.commit()
    assert found(app, "graphene") == []
    assert found(app, "sodium") == [story.id]
    with app.app_context():
        db.session.delete(db.session.get(Article, story.id))
        db.session.commit()
    assert found(app, "sodium") == []


def test_the_migration_indexes_the_stories_already_there(tmp_path):
    app = empty_app(tmp_path)
    with app.app_context():
        upgrade(revision=PREVIOUS_REVISION)
        now = utcnow()
        with db.engine.begin() as connection:
            connection.execute(text("INSERT INTO sections (name, slug, description) VALUES ('AI', 'ai', '')"))
            connection.execute(
                text("INSERT INTO articles (title, slug, summary, body, kind, section_id, status, "
                     "published_at, updated_at) VALUES ('Graphene batteries', 'graphene-batteries', '', "
                     "'', 'news', 1, 'published', :now, :now)"),
                {"now": now if connection.dialect.name == "postgresql" else now.replace(tzinfo=None)},
            )
        upgrade()
        story_id = db.session.scalar(select(Article.id))
    assert found(app, "graphene") == [story_id]


def test_the_migration_downgrades_and_upgrades_again(tmp_path):
    app = empty_app(tmp_path)
    with app.app_context():
        upgrade()
        downgrade(revision=PREVIOUS_REVISION)
        assert search_objects(app) == []
        assert not {"articles_fts", "articles_fts_data"} & set(inspect(db.engine).get_table_names())
        upgrade()
        assert search_objects(app)


def test_init_db_adopts_a_database_made_by_create_all_as_current(app, runner):
    """create_all() makes the search index too; schema comparisons leave it alone, so init-db
    sees the newest schema and stamps it rather than replaying migrations."""
    result = runner.invoke(args=["portal", "init-db"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        head = ScriptDirectory.from_config(app.extensions["migrate"].migrate.get_config()).get_current_head()
        assert db.session.scalar(text("SELECT version_num FROM alembic_version")) == head
    assert found(app, "graphene") == []
