"""The page cache: anonymous reader pages stored whole, never anyone's own page, never stale."""

import gzip
import threading
import uuid

import brotli
import pytest
import redis
from sqlalchemy import event, insert, update

from portal import create_app
from portal.extensions import db
from portal.models import Section
from portal.news.version import read_version
from portal.web.pagestore import StoredPage, page_store

from ..conftest import csrf_token_from, log_in, make_app
from ..helpers import soup, story_ids

BROWSER_ENCODINGS = {"Accept-Encoding": "gzip, deflate, br"}
HX = {"HX-Request": "true"}


def titles(response) -> list[str]:
    return [a.get_text() for a in soup(response).select(".story-title a")]


def test_a_second_anonymous_request_is_served_without_rendering(client, factory, count_statements):
    factory.stories(3)
    first = client.get("/")
    with count_statements as counter:
        second = client.get("/")
    assert second.get_data() == first.get_data()
    assert counter.statements == ["SELECT value FROM content_version WHERE id = 1"]


def test_every_publication_update_and_withdrawal_is_on_the_next_request(client, factory):
    kept = factory.story("Kept story")
    assert titles(client.get("/")) == ["Kept story"]
    fresh = factory.story("Fresh story", minutes_ago=0)
    assert titles(client.get("/")) == ["Fresh story", "Kept story"]
    factory.update(fresh.id, title="Fresh story, corrected")
    assert titles(client.get("/")) == ["Fresh story, corrected", "Kept story"]
    factory.set_status(kept.id, None)
    assert titles(client.get("/")) == ["Fresh story, corrected"]
    assert client.get(f"/articles/{kept.id}/{kept.slug}").status_code == 410  # withdrawn


def test_changes_to_sections_and_reporters_move_the_version_on(app, factory):
    factory.story()
    with app.app_context():
        versions = [read_version()]
        section = db.session.get(Section, 1)
        section.name = "Business and Technology"
        db.session.commit()
        versions.append(read_version())
        db.session.execute(update(Section).values(description="Markets and makers."))
        db.session.commit()
        versions.append(read_version())
        db.session.execute(insert(Section).values(name="Security", slug="security", description=""))
        db.session.commit()
        versions.append(read_version())
        db.session.rollback()
    assert versions == sorted(set(versions)) and len(versions) == 4


def test_a_rolled_back_change_leaves_the_version(app, factory):
    story = factory.story()
    with app.app_context():
        before = read_version()
        db.session.execute(update(Section).values(name="Not kept"))
        db.session.rollback()
        assert read_version() == before
    assert story.id


def test_a_page_rendered_while_a_change_commits_is_not_served_after_it(app, client, factory):
    factory.story("Before the change")
    committed = threading.Event()

    def publish_during_render(conn, cursor, statement, *args):
        # The render has read the version and the stories: another process publishes.
        if "FROM articles" in statement and not committed.is_set():
            committed.set()
            thread = threading.Thread(target=factory.story, args=("Published mid-render",), kwargs={"minutes_ago": 0})
            thread.start()
            thread.join()

    with app.app_context():
        engine = db.engine
    event.listen(engine, "after_cursor_execute", publish_during_render)
    try:
        rendered = client.get("/")
    finally:
        event.remove(engine, "after_cursor_execute", publish_during_render)
    assert committed.is_set()
    assert titles(rendered) == ["Before the change"]
    assert titles(client.get("/")) == ["Published mid-render", "Before the change"]


def test_anonymous_pages_say_shared_caches_may_keep_them_briefly(client, factory):
    story = factory.story()
    for path in ("/", f"/articles/{story.id}/{story.slug}", "/search?q=story", "/feed.atom", "/sitemap.xml"):
        for _ in range(2):  # the render, then the stored page
            response = client.get(path, headers=BROWSER_ENCODINGS)
            assert response.status_code == 200, path
            assert response.headers["Cache-Control"] == "public, max-age=10, stale-while-revalidate=30", path
            assert {"Cookie", "HX-Request", "Accept-Encoding"} <= set(response.vary), path
            assert "Set-Cookie" not in response.headers, path
            assert response.headers["ETag"], path


def test_a_stored_page_answers_its_etag_with_304(client, factory):
    factory.story()
    etag = client.get("/", headers=BROWSER_ENCODINGS).headers["ETag"]
    again = client.get("/", headers={**BROWSER_ENCODINGS, "If-None-Match": etag})
    assert again.status_code == 304
    assert again.get_data() == b""
    # A change makes a new page with a new ETag.
    factory.story("Newer", minutes_ago=0)
    changed = client.get("/", headers={**BROWSER_ENCODINGS, "If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag


@pytest.mark.parametrize("path", ["/", "/feed.atom", "/sitemap.xml", "/search?q=story"])
def test_compressed_and_plain_answers_carry_the_same_content(client, factory, path):
    factory.stories(5)
    plain = client.get(path, headers={"Accept-Encoding": "identity"})
    gzipped = client.get(path, headers={"Accept-Encoding": "gzip"})
    brotlied = client.get(path, headers=BROWSER_ENCODINGS)
    assert "Content-Encoding" not in plain.headers
    assert gzipped.headers["Content-Encoding"] == "gzip"
    assert brotlied.headers["Content-Encoding"] == "br"
    assert gzip.decompress(gzipped.get_data()) == plain.get_data()
    assert brotli.decompress(brotlied.get_data()) == plain.get_data()
    etags = {plain.headers["ETag"], gzipped.headers["ETag"], brotlied.headers["ETag"]}
    assert len(etags) == 3  # a strong ETag names one encoding's bytes
    # Served again, from the store: the same bytes and headers.
    again = client.get(path, headers=BROWSER_ENCODINGS)
    assert again.get_data() == brotlied.get_data()
    assert again.headers["ETag"] == brotlied.headers["ETag"]


def test_fragments_and_pages_are_stored_apart(client, factory):
    made = factory.stories(40)
    cursor = f"/?after={made[29].id}"
    page = client.get(cursor)
    fragment = client.get(cursor, headers=HX)
    boosted = client.get(cursor, headers={**HX, "HX-Boosted": "true"})
    assert "<html" in page.get_data(as_text=True)
    assert "<html" not in fragment.get_data(as_text=True)
    assert "<html" in boosted.get_data(as_text=True)
    stored = client.get(cursor, headers=HX)
    assert stored.get_data() == fragment.get_data()
    assert stored.headers["HX-Replace-Url"] == fragment.headers["HX-Replace-Url"] == f"/?through={made[-1].id}"


def test_links_follow_the_host_when_no_public_url_is_set(client, factory):
    factory.story()
    one = client.get("/feed.atom", base_url="http://one.example")
    two = client.get("/feed.atom", base_url="http://two.example")
    assert b"http://one.example/" in one.get_data() and b"two.example" not in one.get_data()
    assert b"http://two.example/" in two.get_data() and b"one.example" not in two.get_data()


def test_a_signed_in_page_is_private_and_never_shown_to_anyone_else(app, client, factory, user):
    factory.stories(3)
    anonymous_before = client.get("/")
    log_in(client, user.email)
    signed_in = client.get("/")
    assert "Sign out" in signed_in.get_data(as_text=True)
    assert signed_in.headers["Cache-Control"] == "private, no-cache"
    assert signed_in.get_data() != anonymous_before.get_data()
    again = client.get("/")
    assert "Sign out" in again.get_data(as_text=True)  # the anonymous page is not served to them
    stranger = app.test_client()
    for _ in range(2):
        page = stranger.get("/")
        assert "Sign out" not in page.get_data(as_text=True)
        assert "csrf_token" not in page.get_data(as_text=True)
        assert page.get_data() == anonymous_before.get_data()


def test_after_a_reader_signs_out_no_one_else_sees_the_notice(app, client, factory, user):
    factory.story()
    log_in(client, user.email)
    token = csrf_token_from(client.get("/"))
    signed_out = client.post("/logout", data={"csrf_token": token}, follow_redirects=True)
    assert "You’re signed out." in signed_out.get_data(as_text=True)
    for _ in range(2):
        other = app.test_client().get("/")
        assert "signed out" not in other.get_data(as_text=True)
        assert "flash" not in str(soup(other).select(".flash"))
    # Their own next page has no notice either.
    assert "signed out" not in client.get("/").get_data(as_text=True)


def test_token_urls_are_never_stored_or_shared(client, factory, user, count_statements):
    factory.story()
    log_in(client, user.email)
    feed_url = soup(client.get("/account")).select_one('input[value*="/bookmarks/feed/"]')["value"]
    anonymous = client.application.test_client()
    first = anonymous.get(feed_url)
    assert first.status_code == 200
    assert "public" not in first.headers.get("Cache-Control", "")
    with count_statements as counter:
        anonymous.get(feed_url)
    assert len(counter.statements) > 1  # rendered again, not stored


def test_search_results_for_a_signed_in_reader_are_not_compressed(client, factory, user):
    """BREACH: the page holds a CSRF token and prints the reader's words back."""
    factory.story("Graphene batteries")
    log_in(client, user.email)
    searched = client.get("/search?q=graphene", headers=BROWSER_ENCODINGS)
    assert searched.status_code == 200 and "Graphene" in searched.get_data(as_text=True)
    assert "Content-Encoding" not in searched.headers
    front = client.get("/", headers=BROWSER_ENCODINGS)  # no words of the client's in it
    assert front.headers["Content-Encoding"] == "br"


def test_the_store_is_bounded_in_bytes():
    store = page_store(max_bytes=10_000)
    for number in range(20):
        store.set(f"page{number}", StoredPage("200 OK", [], b"x" * 2000, ttl=60, endpoint="feed.index"))
    kept = [number for number in range(20) if store.get(f"page{number}") is not None]
    assert kept == list(range(17, 20))  # the newest that fit in 10,000 bytes (3,024 each)
    store.set("huge", StoredPage("200 OK", [], b"x" * 20_000, ttl=60, endpoint="feed.index"))
    assert store.get("huge") is None


def test_with_the_cache_off_every_request_renders(tmp_path, count_statements):
    app = make_app(tmp_path, PAGE_CACHE=False)
    client = app.test_client()
    client.get("/")
    response = client.get("/")
    assert response.headers["Cache-Control"] == "public, max-age=10, stale-while-revalidate=30"
    assert story_ids(response) == []


def test_pages_are_shared_through_redis_and_never_stale(redis_url, factory):
    """Two machines on one database and one Redis: what one stored the other serves, until a
    change made on either moves the version on."""
    first = factory.app
    shared = {"REDIS_URL": redis_url, "CACHE_KEY_PREFIX": f"test:{uuid.uuid4().hex}:"}
    first.config.update(shared)
    first.extensions["portal_redis"] = redis.Redis.from_url(redis_url)
    second = create_app({"TESTING": True, "SECRET_KEY": first.secret_key, "HTMX_CDN": False,
                         "SQLALCHEMY_DATABASE_URI": first.config["SQLALCHEMY_DATABASE_URI"], **shared})
    try:
        factory.story("On every machine")
        stored = first.test_client().get("/")
        statements = []
        with second.app_context():
            event.listen(db.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
        served = second.test_client().get("/")
        assert served.get_data() == stored.get_data()
        assert statements == ["SELECT value FROM content_version WHERE id = 1"]  # nothing rendered
        factory.story("Published on the first", minutes_ago=0)
        assert titles(second.test_client().get("/")) == ["Published on the first", "On every machine"]
    finally:
        with second.app_context():
            db.engine.dispose()


def test_operators_see_hits_misses_and_the_version(client, factory, user):
    factory.story()
    client.get("/")
    client.get("/")
    log_in(client, user.email)
    client.get("/")
    metrics = client.get("/metrics").get_data(as_text=True)
    assert 'portal_page_cache_requests_total{outcome="miss"} 1.0' in metrics
    assert 'portal_page_cache_requests_total{outcome="hit"} 1.0' in metrics
    assert 'portal_page_cache_requests_total{outcome="bypass"} 1.0' in metrics
    with client.application.app_context():
        assert f"portal_content_version {float(read_version())}" in metrics


@pytest.mark.parametrize("path", ["/feed.atom", "/sections/business-tech/feed.atom", "/sitemap.xml"])
def test_feed_readers_polling_an_unchanged_feed_get_304(client, factory, user, path):
    factory.stories(3)
    for reader in (client.application.test_client(), client):  # anonymous, then signed in
        if reader is client:
            log_in(client, user.email)
        first = reader.get(path, headers=BROWSER_ENCODINGS)
        assert first.status_code == 200 and first.headers["Content-Encoding"] == "br"
        unchanged = reader.get(path, headers={**BROWSER_ENCODINGS, "If-None-Match": first.headers["ETag"]})
        assert unchanged.status_code == 304
    new = factory.story("A new entry", minutes_ago=0)
    changed = client.get(path, headers={**BROWSER_ENCODINGS, "If-None-Match": first.headers["ETag"]})
    assert changed.status_code == 200
    assert f"/articles/{new.id}/" in brotli.decompress(changed.get_data()).decode()


def test_pages_under_another_script_root_are_stored_apart(client, factory):
    story = factory.story()
    news = client.get("/", base_url="http://localhost/news/")
    other = client.get("/", base_url="http://localhost/other/")
    assert f'href="/news/articles/{story.id}/' in news.get_data(as_text=True)
    assert f'href="/other/articles/{story.id}/' in other.get_data(as_text=True)


def test_a_stored_page_answers_head_with_its_headers_alone(client, factory):
    factory.story()
    stored = client.get("/", headers=BROWSER_ENCODINGS)
    head = client.head("/", headers=BROWSER_ENCODINGS)
    assert head.status_code == 200 and head.get_data() == b""
    assert head.headers["ETag"] == stored.headers["ETag"]
    assert head.headers["Content-Length"] == stored.headers["Content-Length"]


def test_a_stored_page_is_not_answered_to_a_host_the_site_does_not_serve(tmp_path, factory_for):
    app = make_app(tmp_path, TRUSTED_HOSTS=["news.example"], PUBLIC_URL="https://news.example")
    factory_for(app).story()
    client = app.test_client()
    assert client.get("/", base_url="http://news.example").status_code == 200
    assert client.get("/", base_url="http://news.example").status_code == 200  # stored
    assert client.get("/", base_url="http://forged.example").status_code == 400
