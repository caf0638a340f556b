import threading
from datetime import datetime

from sqlalchemy import delete, select

from portal.extensions import db
from portal.models import Bookmark, Status, User, UserSession

from ..conftest import csrf_token_from, log_in
from ..helpers import next_link, soup, story_ids

HX = {"HX-Request": "true"}


def bookmarked(app, user_id) -> list[int]:
    with app.app_context():
        return db.session.scalars(
            select(Bookmark.article_id).where(Bookmark.user_id == user_id).order_by(Bookmark.id)
        ).all()


def toggle(client, article_id, action, htmx=True, **extra):
    token = csrf_token_from(client.get("/account"))
    headers = {**HX, "X-CSRFToken": token} if htmx else {}
    data = {"action": action, **extra}
    if not htmx:
        data["csrf_token"] = token
    return client.post(f"/bookmarks/{article_id}", data=data, headers=headers)


def button(response, article_id):
    return soup(response).select_one(f"#save-{article_id}")


# ---- the button ---------------------------------------------------------------------

def test_signed_out_the_button_leads_to_sign_in_carrying_the_save(client, factory):
    story = factory.story("Chips are back")
    link = soup(client.get("/")).select_one(f"#story-{story.id} a.bookmark-button")
    assert link["aria-label"].startswith("Save: Chips are back")
    assert link["href"] == f"/login?next=/?through%3D{story.id}&save={story.id}"


def test_signed_in_each_row_has_a_toggle_naming_its_story(reader, factory):
    story = factory.story("Chips are back")
    toggle_button = button(reader.get("/"), story.id)
    assert toggle_button["aria-pressed"] == "false"
    assert toggle_button["aria-label"] == "Save: Chips are back"
    assert toggle_button.get_text(strip=True) == "Save"
    form = toggle_button.find_parent("form")
    assert form["hx-post"] == form["action"] == f"/bookmarks/{story.id}"
    assert form["hx-target"] == "this" and form["hx-swap"] == "outerHTML"
    assert form.select_one('input[name="action"]')["value"] == "save"


def test_saving_in_place_returns_the_pressed_button_and_repeating_changes_nothing(app, reader, user, factory):
    story = factory.story()
    for _ in range(2):
        response = toggle(reader, story.id, "save")
        assert response.status_code == 200
        assert "<html" not in response.get_data(as_text=True)
        assert "HX-Request" in response.headers["Vary"]
        pressed = button(response, story.id)
        assert pressed["aria-pressed"] == "true" and pressed.get_text(strip=True) == "Saved"
        assert soup(response).select_one('input[name="action"]')["value"] == "remove"
    assert bookmarked(app, user.id) == [story.id]
    for _ in range(2):
        response = toggle(reader, story.id, "remove")
        assert button(response, story.id)["aria-pressed"] == "false"
    assert bookmarked(app, user.id) == []


def test_saved_state_shows_on_feed_and_article_page(reader, user, factory):
    saved, unsaved = factory.story("Saved one"), factory.story("Not saved")
    toggle(reader, saved.id, "save")
    front = reader.get("/")
    assert button(front, saved.id)["aria-pressed"] == "true"
    assert button(front, unsaved.id)["aria-pressed"] == "false"
    article = reader.get(f"/articles/{saved.id}/{saved.slug}")
    assert button(article, saved.id)["aria-pressed"] == "true"


def test_without_javascript_the_button_posts_and_returns(app, reader, user, factory):
    story = factory.story()
    response = toggle(reader, story.id, "save", htmx=False, next=f"/?through={story.id}")
    assert response.status_code == 303
    assert response.location == f"/?through={story.id}"
    assert bookmarked(app, user.id) == [story.id]
    off_site = toggle(reader, story.id, "remove", htmx=False, next="https://evil.example/")
    assert off_site.location == "/"


def test_bad_requests_to_the_toggle(reader, factory):
    story = factory.story()
    draft = factory.story(status=Status.draft)
    assert toggle(reader, story.id, "maybe").status_code == 400
    assert toggle(reader, 987654, "save").status_code == 404
    assert toggle(reader, draft.id, "save").status_code == 404


def test_pending_save_travels_through_the_login_form(app, client, user, factory):
    story = factory.story()
    login_page = client.get(f"/login?next=/?through%3D{story.id}&save={story.id}")
    assert soup(login_page).select_one('input[name="save"]')["value"] == str(story.id)
    response = log_in(client, user.email, next=f"/?through={story.id}", save=str(story.id))
    assert response.status_code == 303
    assert response.location == f"/?through={story.id}#story-{story.id}"
    assert bookmarked(app, user.id) == [story.id]
    assert button(client.get(response.location), story.id)["aria-pressed"] == "true"


def test_pending_save_travels_through_registration_too(app, client, factory):
    story = factory.story()
    page = client.get(f"/register?save={story.id}&next=/")
    token = csrf_token_from(page)
    response = client.post("/register", data={
        "email": "new@example.com", "password": "a long enough passphrase", "confirm": "a long enough passphrase",
        "csrf_token": token, "save": str(story.id), "next": "/",
    })
    assert response.status_code == 303
    with app.app_context():
        user_id = db.session.scalar(select(User.id))
    assert bookmarked(app, user_id) == [story.id]


def test_a_session_ended_elsewhere_is_sent_to_sign_in_with_the_save(app, reader, user, factory):
    story = factory.story()
    token = csrf_token_from(reader.get("/account"))
    with app.app_context():
        # e.g. "Sign out everywhere" or a password change on another device
        db.session.execute(delete(UserSession).where(UserSession.user_id == user.id))
        db.session.commit()
    response = reader.post(f"/bookmarks/{story.id}", data={"action": "save", "next": "/"},
                           headers={**HX, "X-CSRFToken": token})
    assert response.headers["HX-Redirect"] == f"/login?next=/&save={story.id}"
    assert bookmarked(app, user.id) == []


def test_concurrent_saves_leave_exactly_one_bookmark(app, user, factory):
    story = factory.story()
    clients = []
    for _ in range(6):
        client = app.test_client()
        log_in(client, user.email)
        clients.append((client, csrf_token_from(client.get("/account"))))
    barrier = threading.Barrier(len(clients))
    statuses = []

    def save(client, token):
        barrier.wait()
        statuses.append(client.post(f"/bookmarks/{story.id}", data={"action": "save"},
                                    headers={**HX, "X-CSRFToken": token}).status_code)

    threads = [threading.Thread(target=save, args=pair) for pair in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert statuses == [200] * len(clients)
    assert bookmarked(app, user.id) == [story.id]


def test_statement_count_does_not_grow_with_rows_for_a_signed_in_reader(app, reader, user, factory,
                                                                       count_statements):
    app.config["PAGE_CACHE"] = False  # each page rendered (tests/news/test_kept_lists.py: kept ones)
    stories = factory.stories(40)
    for s in stories[:20:2]:
        toggle(reader, s.id, "save")
    reader.get("/")  # what is kept per content version (sections, the top story) is read once, here
    counts = []
    for size in (5, 30):
        app.config["FEED_PAGE_SIZE"] = size
        with count_statements as counter:
            assert reader.get("/").status_code == 200
        counts.append(counter.count)
    assert counts[0] == counts[1]


# ---- the bookmarks page ---------------------------------------------------------------

def test_bookmarks_page_needs_sign_in(client):
    response = client.get("/bookmarks")
    assert response.status_code == 302
    assert response.location == "/login?next=%2Fbookmarks"


def test_empty_bookmarks_page_says_how_to_save(reader):
    page = soup(reader.get("/bookmarks"))
    assert page.select_one(".empty-state h2").get_text() == "Nothing saved yet"
    assert "Press Save beside any headline" in page.select_one(".empty-state").get_text(" ", strip=True)


def test_bookmarks_newest_saved_first_with_saved_time_and_cursor(app, reader, factory):
    app.config["FEED_PAGE_SIZE"] = 3
    stories = factory.stories(5)
    for s in (stories[4], stories[0], stories[2], stories[1], stories[3]):
        toggle(reader, s.id, "save")
    order = [stories[3].id, stories[1].id, stories[2].id, stories[0].id, stories[4].id]
    first = reader.get("/bookmarks")
    assert "HX-Request" in first.headers["Vary"]
    assert "private" in first.headers["Cache-Control"]
    assert story_ids(first) == order[:3]
    saved_at = soup(first).select_one(".saved-at")
    saved_time = datetime.fromisoformat(saved_at.select_one("time")["datetime"])
    assert saved_at.get_text(" ", strip=True) == f"Saved at {saved_time:%H:%M}"
    rest = reader.get(next_link(first), headers=HX)
    assert "<html" not in rest.get_data(as_text=True)
    assert story_ids(rest) == order[3:]
    assert "all your bookmarks" in soup(rest).select_one(".feed-end").get_text()
    for bad in ("x", "²", "-1", "9" * 12):
        assert reader.get(f"/bookmarks?after={bad}").status_code == 400


def test_removing_from_the_bookmarks_page_in_place_and_undo(app, reader, user, factory):
    story = factory.story("Keep or drop")
    toggle(reader, story.id, "save")
    form = button(reader.get("/bookmarks"), story.id).find_parent("form")
    assert form["hx-target"] == "closest li"
    assert form.select_one('input[name="view"]')["value"] == "bookmarks"
    removed = toggle(reader, story.id, "remove", view="bookmarks")
    row = soup(removed).select_one(f"li#story-{story.id}")
    assert row.select_one(".bookmark-removed-note").get_text() == "Removed “Keep or drop” from your bookmarks."
    assert button(removed, story.id)["aria-pressed"] == "false"
    assert bookmarked(app, user.id) == []
    restored = toggle(reader, story.id, "save", view="bookmarks")
    assert soup(restored).select_one(f"li#story-{story.id} .story-title").get_text() == "Keep or drop"
    assert bookmarked(app, user.id) == [story.id]


def test_readers_never_see_or_change_each_others_bookmarks(app, user, make_user, factory):
    mine, theirs = factory.story("Mine"), factory.story("Theirs")
    other = make_user("other@example.com")
    alice, bob = app.test_client(), app.test_client()
    log_in(alice, user.email)
    log_in(bob, other.email)
    toggle(alice, mine.id, "save")
    toggle(bob, theirs.id, "save")
    toggle(bob, mine.id, "remove")  # Bob removing "Mine" touches only Bob's (empty) set
    assert story_ids(alice.get("/bookmarks")) == [mine.id]
    assert story_ids(bob.get("/bookmarks")) == [theirs.id]
    assert bookmarked(app, user.id) == [mine.id]
    assert button(bob.get("/"), mine.id)["aria-pressed"] == "false"


def test_a_story_unpublished_since_is_marked_removed_on_the_bookmarks_page(app, reader, user, factory):
    story = factory.story()
    toggle(reader, story.id, "save")
    factory.set_status(story.id, Status.draft)  # withdrawn through the publishing path
    row = soup(reader.get("/bookmarks")).select_one(f"#story-{story.id}")
    assert "bookmark-withdrawn" in row["class"]
    assert row.select_one(".bookmark-removed-note").get_text(" ", strip=True).startswith("Removed from the site:")
    assert row.select_one("button")["aria-pressed"] == "true"  # still saved, until the reader drops it
