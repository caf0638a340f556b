"""Sign-ins kept on the server: copied cookies die with their sign-in, remember cookies work once
and expire on the server, ids are never reused, and failures from elsewhere lock nobody out."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select, text, update

from portal.extensions import db
from portal.models import Bookmark, User, UserSession, utcnow

from ..conftest import PASSWORD, csrf_token_from, log_in
from ..helpers import soup
from .test_auth import register, signed_in_as

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0"
IPHONE = ("Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 "
          "(KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1")


def copy_of(app, client, *names):
    """Another browser holding copies of these cookies (the same address and browser, as an
    attacker who copied them would pretend to be)."""
    thief = app.test_client()
    for name in names:
        cookie = client.get_cookie(name)
        if cookie is not None:
            thief.set_cookie(name, cookie.value)
    return thief


def sign_out(client):
    return client.post("/logout", data={"csrf_token": csrf_token_from(client.get("/account"))})


def post_on_account_page(client, path):
    return client.post(path, data={"csrf_token": csrf_token_from(client.get("/account"))})


def sign_ins(app, user_id):
    with app.app_context():
        return db.session.scalars(select(UserSession).where(UserSession.user_id == user_id)).all()


# ---- ids never reused -----------------------------------------------------------------------

def test_a_copied_cookie_of_a_deleted_account_never_signs_in_the_next_one(app):
    """The takeover: register, keep the cookies, delete the account; whoever registers next
    must neither get the old id nor be signed in by the copy."""
    first = app.test_client()
    assert register(first, email="first@example.com").status_code == 303
    kept = copy_of(app, first, "session", "remember_token")
    with app.app_context():
        first_id = db.session.scalar(select(User.id))
    token = csrf_token_from(first.get("/account"))
    assert first.post("/account/delete", data={"password": PASSWORD, "csrf_token": token}).status_code == 303

    assert register(app.test_client(), email="second@example.com").status_code == 303
    with app.app_context():
        second_id = db.session.scalar(select(User.id).where(User.email == "second@example.com"))
    assert second_id != first_id and second_id > first_id
    assert signed_in_as(kept) is None


def test_ids_of_deleted_stories_and_bookmarks_are_never_given_out_again(app, factory, user):
    stories = factory.stories(2)
    with app.app_context():
        db.session.add(Bookmark(user_id=user.id, article_id=stories[0].id))
        db.session.commit()
        newest_story = max(s.id for s in stories)
        bookmark_id = db.session.scalar(select(Bookmark.id))
        db.session.execute(text("DELETE FROM bookmarks"))
        db.session.execute(text("DELETE FROM article_authors WHERE article_id = :id"), {"id": newest_story})
        db.session.execute(text("DELETE FROM articles WHERE id = :id"), {"id": newest_story})
        db.session.commit()
    replacement = factory.story()
    with app.app_context():
        db.session.add(Bookmark(user_id=user.id, article_id=replacement.id))
        db.session.commit()
        assert db.session.scalar(select(Bookmark.id)) > bookmark_id
    assert replacement.id > newest_story


# ---- sessions that can be ended --------------------------------------------------------------

def test_a_copied_session_cookie_stops_working_after_sign_out(app, client, user):
    log_in(client, user.email)
    copy = copy_of(app, client, "session")
    assert signed_in_as(copy) == user.email
    assert sign_out(client).status_code == 303
    assert signed_in_as(copy) is None
    assert sign_ins(app, user.id) == []


def test_sign_out_ends_the_remember_cookie_too(app, client, user):
    log_in(client, user.email, remember=True)
    copy = copy_of(app, client, "remember_token")
    sign_out(client)
    assert client.get_cookie("remember_token") is None
    assert signed_in_as(copy) is None


def test_sign_out_everywhere_ends_every_copy_of_every_cookie(app, user):
    laptop, phone = app.test_client(), app.test_client()
    log_in(laptop, user.email)
    log_in(phone, user.email, remember=True)
    copies = [copy_of(app, laptop, "session"), copy_of(app, phone, "session"), copy_of(app, phone, "remember_token")]
    assert all(signed_in_as(c) == user.email for c in copies)

    response = post_on_account_page(laptop, "/account/sessions/end-all")
    assert response.status_code == 303 and response.location == "/login"
    for browser in (laptop, phone, *copies):
        assert signed_in_as(browser) is None
    assert sign_ins(app, user.id) == []


def test_the_account_page_lists_sign_ins_and_signs_out_one(app, user):
    laptop, phone = app.test_client(), app.test_client()
    laptop.environ_base.update(REMOTE_ADDR="203.0.113.77", HTTP_USER_AGENT=FIREFOX)
    phone.environ_base.update(REMOTE_ADDR="2001:db8:1234:5678::9", HTTP_USER_AGENT=IPHONE)
    log_in(laptop, user.email)
    log_in(phone, user.email)

    page = soup(laptop.get("/account"))
    rows = page.select("#sign-ins li.sign-in")
    assert len(rows) == 2
    text_of = {r.select_one(".sign-in-browser").get_text(): r.get_text(" ", strip=True) for r in rows}
    assert set(text_of) == {"Firefox on Linux", "Mobile Safari on iOS"}
    assert "This browser" in text_of["Firefox on Linux"] and "This browser" not in text_of["Mobile Safari on iOS"]
    assert "203.0.113.0/24" in text_of["Firefox on Linux"] and "203.0.113.77" not in text_of["Firefox on Linux"]
    assert "2001:db8:1234::/48" in text_of["Mobile Safari on iOS"]
    assert all(r.select_one("time[datetime]") for r in rows)

    phone_row = next(r for r in rows if "Safari" in r.get_text())
    response = post_on_account_page(laptop, phone_row.select_one("form")["action"])
    assert response.status_code == 303
    assert signed_in_as(phone) is None
    assert signed_in_as(laptop) == user.email
    assert len(soup(laptop.get("/account")).select("#sign-ins li.sign-in")) == 1


def test_nobody_can_end_another_readers_sign_in(app, user, make_user):
    other = make_user("other@example.com")
    theirs, mine = app.test_client(), app.test_client()
    log_in(theirs, other.email)
    log_in(mine, user.email)
    their_row = sign_ins(app, other.id)[0]
    assert post_on_account_page(mine, f"/account/sessions/{their_row.id}/end").status_code == 404
    assert signed_in_as(theirs) == other.email


# ---- remember cookies: rotated on use, expired on the server ------------------------------------

def test_the_remember_cookie_is_renewed_each_time_it_is_used_and_works_once(app, client, user):
    log_in(client, user.email, remember=True)
    first = client.get_cookie("remember_token").value
    client.delete_cookie("session")  # the browser was closed
    stale = copy_of(app, client, "remember_token")

    assert signed_in_as(client) == user.email
    second = client.get_cookie("remember_token").value
    assert second != first
    with app.app_context():  # past the grace that tabs restored together get
        db.session.execute(update(UserSession).values(remember_renewed_at=utcnow() - timedelta(seconds=31)))
        db.session.commit()
    assert signed_in_as(stale) is None  # the value it carried has been used
    assert stale.get_cookie("remember_token") is None  # and it was told to forget it

    client.delete_cookie("session")
    assert signed_in_as(client) == user.email
    assert client.get_cookie("remember_token").value not in (first, second)


def test_the_remember_cookie_is_renewed_on_a_redirect_that_never_asks_who_is_signed_in(app, client, user, factory):
    """A page whose view never looks at the reader (a redirect to an article's canonical URL)
    still renews the remember cookie that signed the request in, whatever order the app set up
    its response hooks in."""
    story = factory.story()
    log_in(client, user.email, remember=True)
    first = client.get_cookie("remember_token").value
    client.delete_cookie("session")
    response = client.get(f"/articles/{story.id}/")
    assert response.status_code == 301
    assert client.get_cookie("remember_token").value != first


def test_tabs_restored_together_all_stay_signed_in(app, client, user):
    """A browser restoring several tabs sends the same remember cookie with each: the first
    renews it, the others are signed in by the value it replaced and leave the new one alone."""
    log_in(client, user.email, remember=True)
    client.delete_cookie("session")
    other_tab = copy_of(app, client, "remember_token")
    assert signed_in_as(client) == user.email
    response = other_tab.get("/account")
    assert response.status_code == 200 and soup(response).select_one(".form-intro strong").get_text() == user.email
    assert not [h for h in response.headers.getlist("Set-Cookie") if h.startswith("remember_token=")]
    client.delete_cookie("session")
    assert signed_in_as(client) == user.email  # the renewed value still works


def test_a_remembered_request_that_rolls_back_still_answers_and_renews(app, client, user):
    @app.get("/reads-then-rolls-back")
    def reads_then_rolls_back():
        from flask_login import current_user

        name = current_user.email
        db.session.rollback()
        return name

    log_in(client, user.email, remember=True)
    before = client.get_cookie("remember_token").value
    client.delete_cookie("session")
    response = client.get("/reads-then-rolls-back")
    assert response.status_code == 200 and response.get_data(as_text=True) == user.email
    assert client.get_cookie("remember_token").value != before
    assert signed_in_as(client) == user.email


def test_a_password_change_gives_this_browser_new_cookies(app, client, user):
    """Whoever copied this browser's cookies (the usual reason to change a password) is out too."""
    from .test_auth import change_password

    log_in(client, user.email, remember=True)
    copies = [copy_of(app, client, "session"), copy_of(app, client, "remember_token")]
    assert change_password(client).status_code == 303
    assert signed_in_as(client) == user.email
    for copy in copies:
        assert signed_in_as(copy) is None
    client.delete_cookie("session")
    assert signed_in_as(client) == user.email  # by its new remember cookie


def test_each_sign_in_has_its_own_remember_value(app, user):
    values = set()
    for _ in range(2):
        client = app.test_client()
        log_in(client, user.email, remember=True)
        values.add(client.get_cookie("remember_token").value)
    assert len(values) == 2


@pytest.mark.parametrize("column, age", [
    ("created_at", timedelta(days=30, minutes=1)),  # thirty days after signing in, however used
    ("last_seen_at", timedelta(days=14, minutes=1)),  # fourteen days unused
])
def test_sign_ins_expire_on_the_server(app, client, user, column, age):
    log_in(client, user.email, remember=True)
    session_copy = copy_of(app, client, "session")
    client.delete_cookie("session")
    with app.app_context():
        db.session.execute(update(UserSession).values({column: utcnow() - age}))
        db.session.commit()
    assert signed_in_as(client) is None  # by its remember cookie
    assert signed_in_as(session_copy) is None  # by its session cookie


def test_a_sign_in_used_within_its_idle_time_stays(app, client, user):
    log_in(client, user.email, remember=True)
    with app.app_context():
        db.session.execute(update(UserSession).values(last_seen_at=utcnow() - timedelta(days=13)))
        db.session.commit()
    assert signed_in_as(client) == user.email
    with app.app_context():
        last_seen = db.session.scalar(select(UserSession.last_seen_at))
    assert utcnow() - last_seen < timedelta(minutes=1)  # the idle time starts again


# ---- no lockouts --------------------------------------------------------------------------------

def flood(app, email, attempts, address="198.51.100.7"):
    for _ in range(attempts):
        attacker = app.test_client()
        attacker.environ_base["REMOTE_ADDR"] = address
        log_in(attacker, email, password="a wrong guess")


def test_a_flood_of_wrong_passwords_does_not_lock_the_owner_out_of_a_known_browser(app, user):
    app.config["LOGIN_LIMIT_PER_ACCOUNT"] = "5 per 15 minutes"
    owner = app.test_client()
    assert log_in(owner, user.email).status_code == 303
    sign_out(owner)

    flood(app, user.email, attempts=8)
    stranger = app.test_client()
    stranger.environ_base["REMOTE_ADDR"] = "192.0.2.50"
    assert log_in(stranger, user.email).status_code == 429  # unknown browsers wait

    assert log_in(owner, user.email).status_code == 303
    assert signed_in_as(owner) == user.email


def test_a_known_browser_counts_its_own_failures(app, user):
    app.config["LOGIN_LIMIT_PER_ACCOUNT"] = "3 per 15 minutes"
    owner = app.test_client()
    log_in(owner, user.email)
    sign_out(owner)
    for _ in range(3):
        assert log_in(owner, user.email, password="a wrong guess").status_code == 400
    assert log_in(owner, user.email).status_code == 429
    # Its failures are its own: a browser elsewhere is not held up by them.
    assert log_in(app.test_client(), user.email).status_code == 303


def test_a_password_change_ends_every_browsers_exemption(app, user):
    """A thief who signed in once must not keep guessing the new password unhindered."""
    from .test_auth import NEW_PASSWORD, change_password

    app.config["LOGIN_LIMIT_PER_ACCOUNT"] = "3 per 15 minutes"
    thief, owner = app.test_client(), app.test_client()
    log_in(thief, user.email)
    sign_out(thief)
    log_in(owner, user.email)
    change_password(owner)
    flood(app, user.email, attempts=4)
    assert log_in(thief, user.email, password=NEW_PASSWORD).status_code == 429
    sign_out(owner)
    assert log_in(owner, user.email, password=NEW_PASSWORD).status_code == 303  # its cookie was renewed


def test_a_device_cookie_for_another_account_does_not_help(app, user, make_user):
    app.config["LOGIN_LIMIT_PER_ACCOUNT"] = "3 per 15 minutes"
    other = make_user("other@example.com")
    browser = app.test_client()
    log_in(browser, other.email)
    sign_out(browser)
    flood(app, user.email, attempts=4)
    assert log_in(browser, user.email).status_code == 429


def test_a_forged_device_cookie_does_not_help(app, user):
    app.config["LOGIN_LIMIT_PER_ACCOUNT"] = "3 per 15 minutes"
    flood(app, user.email, attempts=4)
    forger = app.test_client()
    forger.set_cookie("known_device", "eyJhIjoiMTIzIiwibiI6Inh5eiJ9.forged", path="/login")
    assert log_in(forger, user.email).status_code == 429


def test_the_device_cookie_is_sent_to_the_sign_in_form_only(app, client, user):
    response = log_in(client, user.email)
    header = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("known_device="))
    assert "Path=/login" in header and "HttpOnly" in header
    assert user.email not in header


# ---- public responses carry no cookie ------------------------------------------------------------

def test_no_response_that_shared_caches_keep_sets_a_cookie(app, client, user, factory):
    story = factory.story()
    section = story.section.slug
    log_in(client, user.email, remember=True)
    author = "desk-reporter"  # the factory's byline
    public = [f"/articles/{story.id}/qr.svg", f"/articles/{story.id}/qr.png?size=512", "/robots.txt",
              "/sitemap.xml", "/feed.atom", f"/sections/{section}/feed.atom", f"/authors/{author}/feed.atom"]
    for path in public:
        client.delete_cookie("session")  # a browser back with only its remember cookie
        response = client.get(path)
        assert response.status_code == 200, path
        assert "public" in response.headers["Cache-Control"], path
        assert response.headers.getlist("Set-Cookie") == [], path
    # The remember cookie still works on the next private page, and is renewed there.
    before = client.get_cookie("remember_token").value
    client.delete_cookie("session")
    assert signed_in_as(client) == user.email
    assert client.get_cookie("remember_token").value != before


def test_only_one_sign_in_row_per_sign_in(app, user):
    client = app.test_client()
    log_in(client, user.email, remember=True)
    for _ in range(3):
        client.delete_cookie("session")
        signed_in_as(client)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(UserSession)) == 1


def test_expired_sign_ins_of_readers_who_never_return_are_forgotten(app, runner, user, make_user):
    other = make_user("other@example.com")
    for email in (user.email, other.email):
        log_in(app.test_client(), email)
    with app.app_context():
        db.session.execute(update(UserSession).where(UserSession.user_id == other.id)
                           .values(last_seen_at=utcnow() - timedelta(days=15)))
        db.session.commit()
    result = runner.invoke(args=["portal", "forget-expired-sign-ins"])
    assert result.exit_code == 0 and "Forgot 1 expired sign-in." in result.output
    assert [row.user_id for row in sign_ins(app, user.id) + sign_ins(app, other.id)] == [user.id]
