"""Story rows composed from markup kept rendered (portal.news.rows): each reader sees their own
slot, what is kept is what the templates render, and a change or another script root is never
answered with markup made before it or for it."""

import re

import pytest
from flask import get_template_attribute

from portal.extensions import db
from portal.models import Article, Author, Bookmark, Section
from portal.news.queries import get_published_article

from ..conftest import csrf_token_from, log_in
from ..helpers import soup, story_ids

HX = {"HX-Request": "true"}


def save_directly(app, user_id, article_id):
    with app.app_context():
        db.session.add(Bookmark(user_id=user_id, article_id=article_id))
        db.session.commit()


def save_states(response) -> dict:
    """Each row's Save button: "Saved" or "Save" for a signed-in reader, "sign in" for others."""
    states = {}
    for row in soup(response).select("li.story"):
        button = row.select_one(".bookmark-button")
        if button.name == "a":
            assert button["href"].startswith("/login?")
            states[row["id"]] = "sign in"
        else:
            assert button["aria-pressed"] == ("true" if button.get_text(strip=True) == "Saved" else "false")
            states[row["id"]] = button.get_text(strip=True)
    return states


@pytest.mark.parametrize("page_cache", [True, False])
def test_readers_on_the_same_page_each_see_their_own_saves(app, factory, make_user, page_cache):
    app.config["PAGE_CACHE"] = page_cache
    first, second, third = factory.stories(3)
    ada, bo = make_user("ada@example.com"), make_user("bo@example.com")
    save_directly(app, ada.id, first.id)
    save_directly(app, bo.id, second.id)
    ada_client, bo_client, anonymous = app.test_client(), app.test_client(), app.test_client()
    log_in(ada_client, ada.email)
    log_in(bo_client, bo.email)
    row = "story-{}".format
    expected = {
        "ada": {row(first.id): "Saved", row(second.id): "Save", row(third.id): "Save"},
        "bo": {row(first.id): "Save", row(second.id): "Saved", row(third.id): "Save"},
        "anonymous": {row(first.id): "sign in", row(second.id): "sign in", row(third.id): "sign in"},
    }
    # Each in turn, twice round, so every reader gets rows another left kept.
    for _ in range(2):
        for name, client in (("ada", ada_client), ("bo", bo_client), ("anonymous", anonymous)):
            for url, headers in (("/", {}), ("/", HX), (f"/?through={third.id}", {})):
                response = client.get(url, headers=headers)
                assert save_states(response) == expected[name], (name, url, headers)
    # Saving changes no story, so nothing kept is dropped: the slot is still this reader's own.
    token = csrf_token_from(ada_client.get("/account"))
    ada_client.post(f"/bookmarks/{third.id}", data={"action": "save"}, headers={**HX, "X-CSRFToken": token})
    assert save_states(ada_client.get("/"))[row(third.id)] == "Saved"
    assert save_states(bo_client.get("/"))[row(third.id)] == "Save"
    assert save_states(anonymous.get("/"))[row(third.id)] == "sign in"


def test_each_reader_gets_their_own_csrf_token_in_every_row(app, factory, make_user):
    factory.stories(3)
    tokens = []
    for email in ("ada@example.com", "bo@example.com"):
        client = app.test_client()
        log_in(client, make_user(email).email)
        page = soup(client.get("/"))
        own = page.select_one("body")["hx-headers"]
        in_rows = {field["value"] for field in page.select('li.story input[name="csrf_token"]')}
        assert len(in_rows) == 1 and in_rows.pop() in own
        tokens.append(own)
    assert tokens[0] != tokens[1]


def without_tokens(html: str) -> str:
    return re.sub(r'(csrf_token" value="|X-CSRFToken": ")[^"]+', r"\1…", html)


@pytest.mark.parametrize("signed_in", [False, True])
def test_kept_rows_are_the_markup_the_templates_render(app, client, factory, user, signed_in):
    app.config["PAGE_CACHE"] = False
    ada, bo = factory.author("Ada Lee"), factory.author("Bo Chan")
    made = factory.stories(5, authors=[ada, bo])
    if signed_in:
        log_in(client, user.email)
        save_directly(app, user.id, made[1].id)
    rendered = client.get("/").get_data(as_text=True)
    kept = client.get("/").get_data(as_text=True)
    assert without_tokens(kept) == without_tokens(rendered)
    # And each row is what the row macro makes of the story itself.
    with app.test_request_context("/"):
        story_row = get_template_attribute("news/_story_row.html", "story_row")
        for article_id in (made[0].id, made[1].id):
            article = get_published_article(article_id)
            saved = signed_in and article_id == made[1].id
            row = story_row(article, saved=saved, return_to=f"/?through={article_id}", signed_in=signed_in)
            assert without_tokens(str(row)) in without_tokens(kept)


@pytest.mark.parametrize("change", ["title", "section", "author"])
def test_a_change_shows_on_the_next_page_though_rows_are_kept(app, client, factory, change):
    app.config["PAGE_CACHE"] = False
    section, ada = factory.section("Security"), factory.author("Ada Lee")
    story = factory.story("Old headline", section=section, authors=[ada])
    assert "Old headline" in client.get("/").get_data(as_text=True)
    with app.app_context():
        if change == "title":
            db.session.get(Article, story.id).title = "New headline"
        elif change == "section":
            db.session.get(Section, section.id).name = "Safety"
        else:
            db.session.get(Author, ada.id).name = "Ada Lee-Park"
        db.session.commit()
    row = soup(client.get("/")).select_one(f"#story-{story.id}")
    shown = {"title": row.select_one(".story-title").get_text(),
             "section": row.select_one(".story-section").get_text(),
             "author": row.select_one(".story-authors").get_text(" ", strip=True)}
    expected = {"title": "New headline", "section": "Safety", "author": "By Ada Lee-Park"}
    assert shown[change] == expected[change]


def test_links_start_at_the_script_root_the_site_is_served_under(app, client, factory):
    app.config["PAGE_CACHE"] = False
    section = factory.section("Security")
    made = factory.stories(3, section=section)
    for root in ("/news", "", "/other"):
        base_url = f"http://localhost{root}/"
        for url, headers in (("/", {}), (f"/sections/{section.slug}?after={made[0].id}", HX)):
            response = client.get(url, base_url=base_url, headers=headers)
            assert response.status_code == 200
            page = soup(response)
            row = page.select_one(f"#story-{made[1].id}")
            assert row.select_one(".story-title a")["href"] == f"{root}/articles/{made[1].id}/{made[1].slug}"
            assert row.select_one(".story-section")["href"] == f"{root}/sections/security"
            save = row.select_one("a.bookmark-button")["href"]
            back = "/" if url == "/" else "/sections/security"
            assert save == f"{root}/login?next={root}{back}?through%3D{made[1].id}&save={made[1].id}"
        assert response.headers["HX-Replace-Url"] == f"{root}/sections/security?through={made[-1].id}"
        assert story_ids(response) == [made[1].id, made[2].id]
