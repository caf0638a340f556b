import threading
import uuid

import pytest
from sqlalchemy import func, select
from werkzeug.http import parse_set_header

from portal.extensions import db
from portal.models import Bookmark, User

from ..conftest import PASSWORD, csrf_token_from, log_in, make_app
from ..helpers import soup

NEW_PASSWORD = "a different long passphrase"


def register(client, email="new.reader@example.com", password=PASSWORD, confirm=None, **extra):
    token = csrf_token_from(client.get("/register"))
    return client.post("/register", data={
        "email": email, "password": password, "confirm": confirm or password, "csrf_token": token, **extra,
    })


def signed_in_as(client) -> str | None:
    """The account the masthead shows, or None when signed out."""
    account = soup(client.get("/account"))
    strong = account.select_one(".form-intro strong")
    return strong.get_text() if strong else None


def set_cookies(response) -> dict[str, str]:
    return {h.split("=", 1)[0]: h for h in response.headers.getlist("Set-Cookie")}


# ---- registering -------------------------------------------------------------

def test_register_signs_the_reader_in_with_a_normalised_email(app, client):
    response = register(client, email="  New.Reader@Example.COM ", display_name="Nia")
    assert response.status_code == 303
    assert response.location == "/"
    assert signed_in_as(client) == "new.reader@example.com"
    with app.app_context():
        user = db.session.scalar(select(User))
        assert user.email == "new.reader@example.com" and user.display_name == "Nia"
        assert PASSWORD not in user.password_hash
        assert user.password_hash.startswith("pbkdf2:sha256:1000$")


def test_passwords_are_hashed_with_scrypt_outside_tests():
    from portal.config import DEFAULTS

    assert DEFAULTS["PASSWORD_HASH_METHOD"] == "scrypt"


def test_a_taken_email_is_a_form_error(client, user):
    response = register(client, email=" READER@example.com")
    assert response.status_code == 400
    assert "An account with this email already exists" in soup(response).select_one(".field-errors").get_text()


@pytest.mark.parametrize(
    "password, confirm, message",
    [
        ("short1", None, "Use at least 8 characters."),
        ("password1", None, "one of the most common"),
        ("Sunshine", None, "one of the most common"),
        ("qwertyuiop", None, "one of the most common"),
        (PASSWORD, "something else entirely", "The passwords don’t match."),
        ("x" * 300, None, "Use at most 256 characters."),
    ],
)
def test_weak_or_mismatched_passwords_are_refused(app, client, password, confirm, message):
    response = register(client, password=password, confirm=confirm)
    assert response.status_code == 400
    assert message in soup(response).select_one(".field-errors").get_text()
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_an_invalid_email_is_a_form_error(client):
    response = register(client, email="not-an-email")
    assert response.status_code == 400
    assert soup(response).select_one("#email-errors")


# ---- signing in and out ----------------------------------------------------------

def test_login_accepts_the_email_in_any_case(client, user):
    response = log_in(client, "  Reader@EXAMPLE.com ")
    assert response.status_code == 303
    assert signed_in_as(client) == user.email


def test_login_error_never_says_which_part_was_wrong(client, user):
    wrong_password = log_in(client, user.email, password="not the password at all")
    unknown_email = log_in(client, "nobody@example.com")
    assert wrong_password.status_code == unknown_email.status_code == 400
    message = soup(wrong_password).select_one(".form-errors").get_text(strip=True)
    assert message == soup(unknown_email).select_one(".form-errors").get_text(strip=True)
    assert message == "That email and password don’t match an account. Check both and try again."
    assert signed_in_as(client) is None


def test_logout_is_post_only_and_clears_session_and_remember_cookie(client, user):
    log_in(client, user.email, remember=True)
    assert client.get_cookie("remember_token") is not None
    assert client.get("/logout").status_code == 405
    token = csrf_token_from(client.get("/account"))
    response = client.post("/logout", data={"csrf_token": token})
    assert response.status_code == 303
    assert client.get_cookie("remember_token") is None
    assert signed_in_as(client) is None


def test_cookie_flags_in_development(client, user):
    response = log_in(client, user.email, remember=True)
    cookies = set_cookies(response)
    for name in ("session", "remember_token"):
        flags = cookies[name].lower()
        assert "httponly" in flags and "samesite=lax" in flags
        assert "secure" not in flags.replace("; secure", "")  # plain HTTP in development


def test_cookies_are_secure_in_production(tmp_path):
    app = make_app(tmp_path, ENV="production", PUBLIC_URL="https://news.example.com")
    from werkzeug.security import generate_password_hash

    with app.app_context():
        db.session.add(User(email="reader@example.com",
                            password_hash=generate_password_hash(PASSWORD, "pbkdf2:sha256:1000")))
        db.session.commit()
    client = app.test_client()
    response = log_in(client, "reader@example.com", remember=True)
    cookies = set_cookies(response)
    for name in ("session", "remember_token"):
        assert "; secure" in cookies[name].lower()
        assert "httponly" in cookies[name].lower() and "samesite=lax" in cookies[name].lower()


def test_remember_me_keeps_the_reader_signed_in_after_the_browser_session(app, client, user):
    log_in(client, user.email, remember=True)
    client.delete_cookie("session")
    assert signed_in_as(client) == user.email


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "/\\evil.example",
                                    "javascript:alert(1)", "http:/evil.example"])
def test_off_site_next_is_refused(client, user, target):
    response = log_in(client, user.email, next=target)
    assert response.status_code == 303
    assert response.location == "/"


def test_on_site_next_is_followed(client, user):
    response = log_in(client, user.email, next="/sections/ai?x=1")
    assert response.location == "/sections/ai?x=1"


def test_account_page_needs_sign_in_and_returns_there(client, user):
    response = client.get("/account")
    assert response.status_code == 302
    assert response.location == "/login?next=%2Faccount"
    login_page = client.get(response.location)
    assert soup(login_page).select_one('input[name="next"]')["value"] == "/account"
    assert log_in(client, user.email, next="/account").location == "/account"


# ---- cookies, caching and CSRF -------------------------------------------------------

def test_anonymous_readers_get_no_cookie(client, factory):
    story = factory.story()
    for path in ("/", f"/articles/{story.id}/{story.slug}", "/sections/business-tech", "/nope"):
        response = client.get(path)
        assert response.headers.getlist("Set-Cookie") == [], path
        assert "csrf_token" not in response.get_data(as_text=True)
        assert "hx-headers" not in response.get_data(as_text=True)


def test_signed_in_pages_are_private_and_carry_the_csrf_header(reader, factory):
    factory.story()
    response = reader.get("/")
    assert "private" in parse_set_header(response.headers["Cache-Control"])
    body = soup(response).body
    assert '"X-CSRFToken"' in body["hx-headers"]


def test_a_form_post_without_csrf_token_is_refused(app, client, user):
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 400
    assert "That form had expired" in soup(response).select_one("h1").get_text()
    assert signed_in_as(client) is None


def test_a_forged_bookmark_post_is_refused(app, reader, factory):
    story = factory.story()
    for headers in ({}, {"HX-Request": "true"}, {"HX-Request": "true", "X-CSRFToken": "forged"}):
        response = reader.post(f"/bookmarks/{story.id}", data={"action": "save"}, headers=headers)
        assert response.status_code == 400
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Bookmark)) == 0


def test_htmx_request_with_a_stale_token_is_sent_through_sign_in(reader, factory):
    story = factory.story()
    response = reader.post(f"/bookmarks/{story.id}", data={"action": "save"},
                           headers={"HX-Request": "true", "X-CSRFToken": "stale",
                                    "HX-Current-URL": "http://localhost/sections/ai?through=4"})
    assert response.status_code == 400
    assert response.headers["HX-Redirect"] == "/login?next=/sections/ai?through%3D4"


# ---- rate limits ---------------------------------------------------------------------

def test_repeated_failed_logins_from_one_address_get_429(app, client, user):
    app.config["LOGIN_LIMIT_PER_ADDRESS"] = "3 per 15 minutes"
    for attempt in range(3):
        assert log_in(client, f"someone{attempt}@example.com", password="wrong guess").status_code == 400
    blocked = log_in(client, user.email)  # even the right password waits now
    assert blocked.status_code == 429
    assert int(blocked.headers["Retry-After"]) > 0
    assert soup(blocked).select_one("h1").get_text() == "Too many attempts"


def test_repeated_failures_on_one_account_get_429_from_any_address(app, client, user):
    app.config["LOGIN_LIMIT_PER_ACCOUNT"] = "3 per 15 minutes"
    for attempt in range(3):
        other = app.test_client()
        other.environ_base["REMOTE_ADDR"] = f"10.0.0.{attempt + 1}"
        assert log_in(other, user.email, password="wrong guess").status_code == 400
    fresh = app.test_client()
    fresh.environ_base["REMOTE_ADDR"] = "10.0.0.99"
    blocked = log_in(fresh, " Reader@Example.com")
    assert blocked.status_code == 429
    assert "Retry-After" in blocked.headers
    # Another account from that address is unaffected.
    assert log_in(fresh, "other@example.com", password="wrong guess").status_code == 400


def test_rate_limits_are_shared_through_redis(tmp_path, user, redis_url):
    """Two app processes (here: two apps, each with its own storage connection) count together."""
    shared = {"REDIS_URL": redis_url, "RATELIMIT_KEY_PREFIX": f"test-{uuid.uuid4().hex}",
              "LOGIN_LIMIT_PER_ACCOUNT": "2 per 15 minutes"}
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    first = make_app(tmp_path / "one", **shared)
    with first.app_context():
        db.session.add(User(email=user.email, password_hash="x"))
        db.session.commit()
    for _ in range(2):
        assert log_in(first.test_client(), user.email, password="wrong guess").status_code == 400
    second = make_app(tmp_path / "two", **shared)  # a fresh connection: nothing in-process carries over
    assert log_in(second.test_client(), user.email, password="wrong guess").status_code == 429


def test_successful_logins_do_not_count_against_the_limit(app, client, user):
    app.config["LOGIN_LIMIT_PER_ACCOUNT"] = "2 per 15 minutes"
    for _ in range(4):
        fresh = app.test_client()
        assert log_in(fresh, user.email).status_code == 303


def test_registration_is_rate_limited(app, client):
    app.config["REGISTER_LIMIT_PER_ADDRESS"] = "2 per hour"
    assert register(client, email="a@example.com", password="short").status_code == 400
    assert register(client, email="b@example.com", password="short").status_code == 400
    assert register(client, email="c@example.com").status_code == 429


# ---- the account page ------------------------------------------------------------------

def change_password(client, current=PASSWORD, new=NEW_PASSWORD, confirm=None):
    token = csrf_token_from(client.get("/account"))
    return client.post("/account/password", data={
        "current_password": current, "new_password": new, "confirm": confirm or new, "csrf_token": token,
    })


def test_changing_the_password_needs_the_current_one(reader, user):
    response = change_password(reader, current="not my password")
    assert response.status_code == 400
    assert "That isn’t your current password." in response.get_data(as_text=True)
    assert change_password(reader, new="password1").status_code == 400


def test_changing_the_password_ends_other_sessions_and_remember_cookies(app, reader, user):
    laptop = app.test_client()
    log_in(laptop, user.email)
    phone = app.test_client()
    log_in(phone, user.email, remember=True)
    phone.delete_cookie("session")  # the phone now relies on its remember cookie
    assert signed_in_as(phone) == user.email

    response = change_password(reader)
    assert response.status_code == 303
    assert signed_in_as(reader) == user.email  # this session carries on
    assert signed_in_as(laptop) is None
    phone.delete_cookie("session")
    assert signed_in_as(phone) is None
    assert log_in(app.test_client(), user.email).status_code == 400
    assert log_in(app.test_client(), user.email, password=NEW_PASSWORD).status_code == 303


def test_deleting_the_account_removes_its_bookmarks(app, reader, user, make_user, factory):
    stories = factory.stories(3)
    other = make_user("other@example.com")
    with app.app_context():
        db.session.add_all([Bookmark(user_id=user.id, article_id=s.id) for s in stories])
        db.session.add(Bookmark(user_id=other.id, article_id=stories[0].id))
        db.session.commit()
    token = csrf_token_from(reader.get("/account"))
    refused = reader.post("/account/delete", data={"password": "wrong one", "csrf_token": token})
    assert refused.status_code == 400
    response = reader.post("/account/delete", data={"password": PASSWORD, "csrf_token": token})
    assert response.status_code == 303
    assert signed_in_as(reader) is None
    with app.app_context():
        assert db.session.get(User, user.id) is None
        remaining = db.session.scalars(select(Bookmark.user_id)).all()
        assert remaining == [other.id]


def test_resetting_the_private_feed_token(app, reader, user):
    with app.app_context():
        old = db.session.get(User, user.id).feed_token
    token = csrf_token_from(reader.get("/account"))
    assert reader.post("/account/feed-token", data={"csrf_token": token}).status_code == 303
    with app.app_context():
        new = db.session.get(User, user.id).feed_token
    assert new != old and len(new) >= 32
    assert new in reader.get("/account").get_data(as_text=True)


# ---- command line -------------------------------------------------------------------------

def test_create_user_reads_the_password_from_standard_input(app, runner):
    result = runner.invoke(args=["portal", "create-user", "Editor@Example.com", "--editor"],
                           input=NEW_PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    assert "Created editor account editor@example.com." in result.output
    with app.app_context():
        user = db.session.scalar(select(User))
        assert user.is_editor and user.email == "editor@example.com"
    assert log_in(app.test_client(), "editor@example.com", password=NEW_PASSWORD).status_code == 303


def test_create_user_makes_an_admin_who_is_also_an_editor(app, runner):
    result = runner.invoke(args=["portal", "create-user", "chief@example.com", "--admin"], input=NEW_PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    assert "Created admin account chief@example.com." in result.output
    with app.app_context():
        user = db.session.scalar(select(User))
        assert user.is_admin and user.is_editor


@pytest.mark.parametrize("email, password, message", [
    ("reader@example.com", NEW_PASSWORD, "already exists"),
    ("new@example.com", "password", "most common"),
    ("not an email", NEW_PASSWORD, "Invalid value for EMAIL"),
])
def test_create_user_refuses_bad_input(app, runner, user, email, password, message):
    result = runner.invoke(args=["portal", "create-user", email], input=password + "\n")
    assert result.exit_code != 0
    assert message in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 1


def test_concurrent_registrations_of_one_email_make_one_account(app):
    results = []

    def attempt():
        client = app.test_client()
        results.append(register(client, email="race@example.com").status_code)

    threads = [threading.Thread(target=attempt) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert 500 not in results and 303 in results
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 1


def test_sign_in_still_works_when_redis_is_unreachable(tmp_path, user):
    app = make_app(tmp_path, REDIS_URL="redis://127.0.0.1:1/0", LOGIN_LIMIT_PER_ACCOUNT="2 per 15 minutes")
    from werkzeug.security import generate_password_hash

    with app.app_context():
        db.session.add(User(email=user.email, password_hash=generate_password_hash(PASSWORD, "pbkdf2:sha256:1000")))
        db.session.commit()
    assert log_in(app.test_client(), user.email).status_code == 303
    for _ in range(2):
        assert log_in(app.test_client(), user.email, password="wrong guess").status_code == 400
    # Limits are counted in process meanwhile.
    assert log_in(app.test_client(), user.email, password="wrong guess").status_code == 429
