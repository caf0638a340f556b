"""Signed-in readers' list pages joined from a page kept for every signed-in reader
(portal.news.kept_lists): each reader gets exactly what a fresh render gives them, with their own
CSRF token and saves, a change is on the very next page, and a flashed message reaches only its
reader."""

import re

import pytest

from portal.extensions import db
from portal.models import Bookmark

from ..conftest import csrf_token_from, log_in
from ..helpers import page_soup, soup

HX = {"HX-Request": "true"}


def save_directly(app, user_id, article_id):
    with app.app_context():
        db.session.add(Bookmark(user_id=user_id, article_id=article_id))
        db.session.commit()


def tokens_in(body: str) -> set[str]:
    """Every CSRF token a page carries: the forms' fields and the htmx header on <body>."""
    fields = re.findall(r'name="csrf_token" value="([^"]+)"', body)
    assert fields
    return set(fields) | set(re.findall(r'"X-CSRFToken": "([^"]+)"', body))


def without_token(body: str) -> str:
    """The page with its one CSRF token (every form's and the htmx header's) named TOKEN."""
    (token,) = tokens_in(body)
    return body.replace(token, "TOKEN")


@pytest.mark.parametrize("name", ["front page", "section", "next batch", "restored list"])
def test_a_kept_page_is_what_a_fresh_render_gives_the_reader(app, reader, user, factory, name):
    security = factory.section("Security")
    newest_first = factory.stories(45, section=security)
    url, headers = {"front page": ("/", {}), "section": (f"/sections/{security.slug}", {}),
                    "next batch": (f"/?after={newest_first[29].id}", HX),
                    "restored list": (f"/?through={newest_first[40].id}", {})}[name]
    for story in newest_first[:40:3]:
        save_directly(app, user.id, story.id)
    answers = {}
    for page_cache in (False, True, True):  # rendered; kept now; from what was kept
        app.config["PAGE_CACHE"] = page_cache
        response = reader.get(url, headers=headers)
        assert response.status_code == 200
        answers.setdefault(page_cache, []).append(response)
    fresh = answers[False][0]
    for kept in answers[True]:
        # Byte for byte the same page but for the token (signed anew each time), and the same headers.
        assert without_token(kept.get_data(as_text=True)) == without_token(fresh.get_data(as_text=True))
        assert kept.headers.get("HX-Replace-Url") == fresh.headers.get("HX-Replace-Url")
        assert kept.headers["Cache-Control"] == fresh.headers["Cache-Control"]
        assert kept.headers["Vary"] == fresh.headers["Vary"]
    assert "\x00" not in fresh.get_data(as_text=True)


def test_each_reader_gets_their_own_token_and_saves_from_the_kept_page(app, factory, make_user):
    stories = factory.stories(5)
    ada, bo = make_user("ada@example.com"), make_user("bo@example.com")
    save_directly(app, ada.id, stories[0].id)
    save_directly(app, bo.id, stories[1].id)
    clients = {"ada": app.test_client(), "bo": app.test_client()}
    for name, client in clients.items():
        assert log_in(client, f"{name}@example.com").status_code == 303
    pages = {name: client.get("/").get_data(as_text=True) for name, client in clients.items()}
    ada_tokens, bo_tokens = tokens_in(pages["ada"]), tokens_in(pages["bo"])
    assert len(ada_tokens) == len(bo_tokens) == 1 and ada_tokens != bo_tokens
    assert pages["ada"].count(next(iter(ada_tokens))) == 1 + 1 + 5  # Sign out, htmx header, 5 Save forms
    saved = {name: [button.get_text(strip=True) for button in page_soup(page.encode()).select("button.bookmark-button")]
             for name, page in pages.items()}
    assert saved["ada"] == ["Saved", "Save", "Save", "Save", "Save"]  # newest first
    assert saved["bo"] == ["Save", "Saved", "Save", "Save", "Save"]
    # The token in Bo's kept page is Bo's own: his Save button works with it.
    form_token = csrf_token_from(clients["bo"].get("/"))
    response = clients["bo"].post(f"/bookmarks/{stories[2].id}", data={"csrf_token": form_token, "action": "save"})
    assert response.status_code == 303
    after = soup(clients["bo"].get("/"))
    assert after.select_one(f"#save-{stories[2].id}")["aria-pressed"] == "true"


def test_the_next_reader_runs_no_list_query_and_a_change_shows_at_once(app, reader, factory, count_statements):
    stories = factory.stories(31)
    assert reader.get("/").status_code == 200
    with count_statements as counter:
        page = soup(reader.get("/"))
    # The content version, the reader's sign-in, their saved stories among the page's.
    assert counter.count == 3
    assert len(page.select("li.story")) == 30
    factory.update(stories[5].id, title="A headline changed just now")
    page = soup(reader.get("/"))
    assert page.select_one(f"#story-{stories[5].id} .story-title").get_text(strip=True) == "A headline changed just now"
    newest = factory.story(title="Published a moment ago", minutes_ago=0)
    assert soup(reader.get("/")).select_one("li.story")["id"] == f"story-{newest.id}"


def test_a_flashed_message_reaches_only_its_reader(app, factory, make_user, reader):
    story = factory.stories(3)[0]
    assert reader.get("/").status_code == 200  # kept for every signed-in reader
    other = app.test_client()
    make_user("bo@example.com")
    # Signing in from a story's Save link saves it, and says so on the page it comes back to.
    response = log_in(other, "bo@example.com", save=str(story.id), next="/")
    assert response.status_code == 303
    flashed = soup(other.get(response.location))
    assert flashed.select_one(".flash").get_text(strip=True) == f"Saved “{story.title}”."
    assert flashed.select_one(f"#save-{story.id}")["aria-pressed"] == "true"
    assert soup(other.get("/")).select_one(".flash") is None  # said once
    assert soup(reader.get("/")).select_one(".flash") is None
