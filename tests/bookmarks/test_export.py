"""Bookmarks out: the JSON export, the browser bookmarks file and the private Atom feed."""

import secrets
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from bs4 import BeautifulSoup
from lxml import etree
from werkzeug.security import generate_password_hash

from portal.extensions import db
from portal.models import Bookmark, Status, User, utcnow

from ..helpers import soup

PASSWORD = "a long passphrase here"
ATOM = "{http://www.w3.org/2005/Atom}"
NS = {"a": "http://www.w3.org/2005/Atom"}


# ---- helpers -----------------------------------------------------------------

def new_reader(app, email, display_name=None):
    with app.app_context():
        user = User(email=email, display_name=display_name,
                    password_hash=generate_password_hash(PASSWORD, "pbkdf2:sha256:1000"))
        db.session.add(user)
        db.session.commit()
        return SimpleNamespace(id=user.id, email=email, feed_token=user.feed_token)


def save(app, user, story, saved_at):
    with app.app_context():
        db.session.add(Bookmark(user_id=user.id, article_id=story.id, created_at=saved_at))
        db.session.commit()


def sign_in(client, user):
    token = soup(client.get("/login")).select_one("input[name=csrf_token]")["value"]
    response = client.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 303


def iso(value):
    return value.astimezone(UTC).isoformat(timespec="seconds")


def feed_url(token):
    return f"/bookmarks/feed/{token}.atom"


def parse_atom(response):
    assert response.status_code == 200
    root = etree.fromstring(response.data)
    assert root.tag == f"{ATOM}feed"
    return root


def text(element, path):
    found = element.find(path, NS)
    assert found is not None, path
    return found.text


@pytest.fixture
def base_time():
    return utcnow().replace(microsecond=0) - timedelta(hours=2)


@pytest.fixture
def readers(app, factory, base_time):
    """Ada saved three stories (in order), Bo saved one of hers and one of his own."""
    section = factory.section("Security")
    ada_lee, bo_chan = factory.author("Ada Lee"), factory.author("Bo Chan")
    first = factory.story("Patch Tuesday fixes 80 flaws", section=section, authors=[ada_lee, bo_chan],
                          summary="Microsoft’s monthly update.", minutes_ago=300)
    second = factory.story("Chip exports tighten", section=section, authors=[bo_chan], minutes_ago=200)
    third = factory.story("A router botnet returns", section=section, authors=[ada_lee], minutes_ago=100)
    only_bo = factory.story("Bo’s own pick", section=section, minutes_ago=50)
    ada = new_reader(app, "ada@example.com", display_name="Ada")
    bo = new_reader(app, "bo@example.com")
    for i, story in enumerate([first, second, third]):
        save(app, ada, story, base_time + timedelta(minutes=i))
    save(app, bo, second, base_time + timedelta(minutes=10))
    save(app, bo, only_bo, base_time + timedelta(minutes=11))
    return SimpleNamespace(ada=ada, bo=bo, section=section, stories=[first, second, third], only_bo=only_bo,
                           saved_at=[base_time + timedelta(minutes=i) for i in range(3)])


# ---- JSON --------------------------------------------------------------------

def test_json_export_lists_the_readers_own_bookmarks_newest_saved_first(client, readers):
    sign_in(client, readers.ada)
    response = client.get("/bookmarks.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Content-Disposition"] == 'attachment; filename="bookmarks.json"'
    assert response.headers["Cache-Control"] == "private, no-store"

    data = response.get_json()
    first, second, third = readers.stories
    assert [b["title"] for b in data["bookmarks"]] == [third.title, second.title, first.title]
    oldest = data["bookmarks"][-1]
    assert oldest == {
        "title": "Patch Tuesday fixes 80 flaws",
        "url": f"http://localhost/articles/{first.id}/patch-tuesday-fixes-80-flaws",
        "summary": "Microsoft’s monthly update.",
        "section": "Security",
        "authors": ["Ada Lee", "Bo Chan"],
        "published_at": iso(first.published_at),
        "saved_at": iso(readers.saved_at[0]),
    }
    assert [b["saved_at"] for b in data["bookmarks"]] == [iso(t) for t in reversed(readers.saved_at)]
    exported = datetime.fromisoformat(data["exported_at"])
    assert exported.utcoffset() == timedelta(0)
    assert abs(exported - utcnow()) < timedelta(minutes=1)


def test_json_export_of_another_reader_holds_only_theirs(client, readers):
    sign_in(client, readers.bo)
    titles = [b["title"] for b in client.get("/bookmarks.json").get_json()["bookmarks"]]
    assert titles == [readers.only_bo.title, readers.stories[1].title]


def test_json_export_of_a_reader_without_bookmarks_is_empty(app, client):
    reader = new_reader(app, "new@example.com")
    sign_in(client, reader)
    data = client.get("/bookmarks.json").get_json()
    assert data["bookmarks"] == []
    assert "exported_at" in data


def test_exports_leave_out_stories_no_longer_published(client, factory, readers):
    factory.set_status(readers.stories[1].id, Status.draft)
    sign_in(client, readers.ada)
    titles = [b["title"] for b in client.get("/bookmarks.json").get_json()["bookmarks"]]
    assert titles == [readers.stories[2].title, readers.stories[0].title]
    links = soup(client.get("/bookmarks.html")).select("a")
    assert [a.get_text() for a in links] == titles


def test_exports_link_to_the_public_url_when_one_is_set(app, client, readers):
    app.config["PUBLIC_URL"] = "https://news.example.com"
    sign_in(client, readers.ada)
    story = readers.stories[2]
    expected = f"https://news.example.com/articles/{story.id}/{story.slug}"
    assert client.get("/bookmarks.json").get_json()["bookmarks"][0]["url"] == expected
    assert soup(client.get("/bookmarks.html")).select_one("a")["href"] == expected


def test_json_export_runs_the_same_statements_for_2_and_20_bookmarks(
        app, client, factory, count_statements, base_time):
    reader = new_reader(app, "many@example.com")
    authors = [factory.author("Ada Lee"), factory.author("Bo Chan")]
    stories = factory.stories(20, authors=authors)
    for i, story in enumerate(stories[:2]):
        save(app, reader, story, base_time + timedelta(minutes=i))
    sign_in(client, reader)

    with count_statements as few:
        assert len(client.get("/bookmarks.json").get_json()["bookmarks"]) == 2
    for i, story in enumerate(stories[2:], start=2):
        save(app, reader, story, base_time + timedelta(minutes=i))
    with count_statements as many:
        assert len(client.get("/bookmarks.json").get_json()["bookmarks"]) == 20
    assert many.count == few.count


# ---- Netscape bookmarks file -------------------------------------------------

def test_bookmarks_file_is_a_netscape_file_browsers_import(client, readers):
    sign_in(client, readers.ada)
    response = client.get("/bookmarks.html")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    assert response.headers["Content-Disposition"] == 'attachment; filename="bookmarks.html"'
    assert response.headers["Cache-Control"] == "private, no-store"

    body = response.get_data(as_text=True)
    assert body.startswith("<!DOCTYPE NETSCAPE-Bookmark-file-1>")
    page = BeautifulSoup(body, "html.parser")
    assert "charset=UTF-8" in page.select_one("meta[http-equiv]")["content"]
    assert page.select_one("title").get_text() == "Bookmarks"
    assert page.select_one("h1").get_text() == "Bookmarks"
    assert page.select_one("dl dt h3").get_text() == "Tech Desk"

    links = page.select("dl dl a")
    first, second, third = readers.stories
    assert [(a["href"], int(a["add_date"]), a.get_text()) for a in links] == [
        (f"http://localhost/articles/{s.id}/{s.slug}", int(t.timestamp()), s.title)
        for s, t in zip([third, second, first], reversed(readers.saved_at), strict=True)
    ]
    assert readers.only_bo.title not in body


def test_bookmarks_file_escapes_titles(app, client, factory, base_time):
    title = 'Hello <script>alert("x")</script> & "friends"'
    story = factory.story(title, summary="<b>bold</b> claims")
    reader = new_reader(app, "esc@example.com")
    save(app, reader, story, base_time)
    sign_in(client, reader)
    body = client.get("/bookmarks.html").get_data(as_text=True)
    assert "<script>" not in body
    assert "<b>" not in body
    assert "&lt;script&gt;" in body
    link = BeautifulSoup(body, "html.parser").select_one("dl dl a")
    assert link.get_text() == title
    assert link["href"].endswith(f"/articles/{story.id}/{story.slug}")


@pytest.mark.parametrize("path", ["/bookmarks.json", "/bookmarks.html"])
def test_exports_send_signed_out_readers_to_sign_in(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


# ---- private Atom feed -------------------------------------------------------

def test_private_feed_is_valid_atom_with_the_readers_bookmarks(client, readers):
    response = client.get(feed_url(readers.ada.feed_token))
    assert response.headers["Content-Type"] == "application/atom+xml; charset=utf-8"
    assert response.headers["Cache-Control"] == "private, no-store"
    assert response.headers["X-Robots-Tag"] == "noindex"
    root = parse_atom(response)

    self_url = f"http://localhost/bookmarks/feed/{readers.ada.feed_token}.atom"
    assert text(root, "a:id") == self_url
    assert text(root, "a:title") == "Ada’s bookmarks · Tech Desk"
    assert datetime.fromisoformat(text(root, "a:updated")) == readers.saved_at[-1]
    assert text(root, "a:author/a:name") == "Tech Desk"
    assert root.find("a:link[@rel='self']", NS).get("href") == self_url

    entries = root.findall("a:entry", NS)
    first, second, third = readers.stories
    expected = list(zip([third, second, first], reversed(readers.saved_at), strict=True))
    assert len(entries) == len(expected)
    for entry, (story, saved_at) in zip(entries, expected, strict=True):
        url = f"http://localhost/articles/{story.id}/{story.slug}"
        assert text(entry, "a:id") == url
        assert text(entry, "a:title") == story.title
        assert entry.find("a:link", NS).get("href") == url
        assert datetime.fromisoformat(text(entry, "a:updated")) == saved_at
        assert datetime.fromisoformat(text(entry, "a:published")) == story.published_at
    oldest = entries[-1]
    assert text(oldest, "a:summary") == "Microsoft’s monthly update."
    assert [a.text for a in oldest.findall("a:author/a:name", NS)] == ["Ada Lee", "Bo Chan"]
    assert readers.only_bo.title.encode() not in response.data


def test_private_feed_never_shows_another_readers_bookmarks(client, readers):
    root = parse_atom(client.get(feed_url(readers.bo.feed_token)))
    assert [text(e, "a:title") for e in root.findall("a:entry", NS)] == [
        readers.only_bo.title, readers.stories[1].title
    ]
    # No display name: the feed is named after the email address.
    assert text(root, "a:title") == "bo@example.com’s bookmarks · Tech Desk"


def test_private_feed_without_bookmarks_is_still_valid(app, client):
    reader = new_reader(app, "empty@example.com")
    root = parse_atom(client.get(feed_url(reader.feed_token)))
    assert root.findall("a:entry", NS) == []
    updated = datetime.fromisoformat(text(root, "a:updated"))
    assert abs(updated - utcnow()) < timedelta(minutes=1)


def test_private_feed_holds_the_latest_100(app, client, factory, base_time):
    reader = new_reader(app, "hoarder@example.com")
    stories = factory.stories(101)
    for i, story in enumerate(stories):
        save(app, reader, story, base_time + timedelta(seconds=i))
    entries = parse_atom(client.get(feed_url(reader.feed_token))).findall("a:entry", NS)
    assert len(entries) == 100
    # Saved last, so listed first; the first saved has dropped off.
    assert text(entries[0], "a:title") == stories[-1].title
    assert stories[0].title not in {text(e, "a:title") for e in entries}


def test_private_feed_survives_characters_xml_cannot_carry(app, client, factory, base_time):
    story = factory.story("Bell\x07 and form\x0cfeed", summary="Start of heading\x01 byte")
    reader = new_reader(app, "odd@example.com", display_name="Odd\x01 one")
    save(app, reader, story, base_time)
    root = parse_atom(client.get(feed_url(reader.feed_token)))
    assert text(root, "a:entry/a:title") == "Bell and formfeed"
    assert text(root, "a:entry/a:summary") == "Start of heading byte"
    sign_in(client, reader)
    assert client.get("/bookmarks.json").status_code == 200
    assert client.get("/bookmarks.html").status_code == 200


def test_unknown_token_is_not_found(client, readers):
    response = client.get(feed_url(secrets.token_urlsafe(24)))
    assert response.status_code == 404


@pytest.mark.parametrize("token", [
    "short",
    "x" * 65,
    "has.dots.in.it.long.enough.to.pass",
    "spaces%20inside%20a%20long%20enough%20token",
    "%00" * 12,
    "%E2%80%99" * 12,
    "' OR '1'='1' -- long enough token",
])
def test_malformed_tokens_are_not_found(client, readers, token):
    assert client.get(feed_url(token)).status_code == 404


def test_malformed_token_is_refused_before_the_database(client, count_statements):
    with count_statements as counted:
        assert client.get(feed_url("nope")).status_code == 404
    # (The 404 page's sections menu still asks for the sections.)
    assert not any("users" in statement for statement in counted.statements)


def test_a_new_token_retires_the_old_address(app, client, readers):
    old = readers.ada.feed_token
    new = secrets.token_urlsafe(24)
    with app.app_context():
        db.session.get(User, readers.ada.id).feed_token = new
        db.session.commit()
    assert client.get(feed_url(old)).status_code == 404
    root = parse_atom(client.get(feed_url(new)))
    assert len(root.findall("a:entry", NS)) == 3


def test_account_page_shows_the_feed_address_that_works_without_a_session(app, client, readers):
    sign_in(client, readers.ada)
    address = soup(client.get("/account")).select_one("#private-feed-url")["value"]
    assert address == f"http://localhost/bookmarks/feed/{readers.ada.feed_token}.atom"
    feed_reader = app.test_client()
    root = parse_atom(feed_reader.get(address.removeprefix("http://localhost")))
    assert len(root.findall("a:entry", NS)) == 3


def test_bookmarks_page_links_to_both_exports(client, readers):
    sign_in(client, readers.ada)
    hrefs = {a["href"] for a in soup(client.get("/bookmarks")).select("a")}
    assert {"/bookmarks.json", "/bookmarks.html"} <= hrefs

