"""Two-step sign-in: enrolling with an authenticator app (QR code and the key as text), signing
in with a code that works once, recovery codes, turning it off; and the desk, which needs it
when DESK_REQUIRE_2FA is on (production's default)."""

import time

import pyotp
import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import User, UserSession

from ..conftest import csrf_token_from, log_in
from ..helpers import soup


def enroll(client) -> tuple[str, list[str]]:
    """Turn two-step sign-in on from the account page; the secret and the recovery codes."""
    page = soup(client.get("/account/two-factor"))
    assert page.select_one(".totp-qr svg title").get_text() == "QR code for your authenticator app"
    secret = page.select_one("#totp-secret").get_text().replace(" ", "")
    token = page.select_one('input[name="csrf_token"]')["value"]
    response = client.post("/account/two-factor", data={"csrf_token": token, "code": pyotp.TOTP(secret).now()})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    codes = [code.get_text() for code in soup(response).select(".recovery-codes code")]
    return secret, codes


def next_code(secret: str) -> str:
    """The code of the next time step: accepted (a phone's clock a little ahead), and newer than
    the one enrolling used, which can't be used again."""
    totp = pyotp.TOTP(secret)
    return totp.at(time.time() + totp.interval)


def wrong_code(secret: str) -> str:
    """Six digits that are no code of the steps around now."""
    totp = pyotp.TOTP(secret)
    near = {totp.at(time.time() + offset) for offset in (-60, -30, 0, 30, 60)}
    return next(code for code in ("000000", "111111", "222222", "333333", "444444", "555555") if code not in near)


def enter_code(client, code):
    token = csrf_token_from(client.get("/login/code"))
    return client.post("/login/code", data={"csrf_token": token, "code": code})


def test_enrolling_needs_a_right_code_and_shows_ten_recovery_codes_once(app, reader, user):
    page = soup(reader.get("/account"))
    assert page.select_one("#two-step a")["href"] == "/account/two-factor"
    setup = soup(reader.get("/account/two-factor"))
    token = setup.select_one('input[name="csrf_token"]')["value"]
    shown_secret = setup.select_one("#totp-secret").get_text().replace(" ", "")
    wrong = reader.post("/account/two-factor", data={"csrf_token": token, "code": wrong_code(shown_secret)})
    assert wrong.status_code == 400
    assert "That code isn’t right" in soup(wrong).select_one(".field-errors").get_text()
    assert soup(wrong).select_one("label[for=code]").get_text() == "Authentication code"
    secret, codes = enroll(reader)
    assert secret == shown_secret  # the same secret until it is confirmed
    assert len(codes) == 10 and len(set(codes)) == 10
    with app.app_context():
        account = db.session.get(User, user.id)
        assert account.totp_secret == secret
        assert db.session.scalar(select(UserSession.second_factor).where(UserSession.user_id == user.id))
    assert "recovery code" in soup(reader.get("/account/two-factor")).get_text(" ")
    assert not soup(reader.get("/account/two-factor")).select(".recovery-codes code")  # never shown again


def test_a_password_alone_no_longer_signs_in_and_each_code_works_once(app, reader, user):
    secret, codes = enroll(reader)
    client = app.test_client()
    response = log_in(client, user.email, next="/bookmarks")
    assert response.status_code == 303 and response.location == "/login/code"
    assert client.get("/account").status_code == 302  # not signed in yet
    assert enter_code(client, wrong_code(secret)).status_code == 400
    code = next_code(secret)
    response = enter_code(client, code)
    assert response.status_code == 303 and response.location == "/bookmarks"
    assert client.get("/account").status_code == 200
    # The same code again, on another browser: refused. A recovery code works, once.
    again = app.test_client()
    log_in(again, user.email)
    assert enter_code(again, code).status_code == 400
    assert enter_code(again, codes[0].upper().replace("-", " ")).status_code == 303
    third = app.test_client()
    log_in(third, user.email)
    assert enter_code(third, codes[0]).status_code == 400
    assert "9 recovery codes left" in soup(client.get("/account/two-factor")).get_text(" ")


def test_a_held_sign_in_expires(app, reader, user, monkeypatch):
    enroll(reader)
    client = app.test_client()
    log_in(client, user.email)
    monkeypatch.setattr("portal.accounts.two_factor.PENDING_SECONDS", -1)
    log_in(client, user.email)
    response = client.get("/login/code")
    assert response.status_code == 303 and response.location == "/login"
    assert "waited too long" in soup(client.get("/login")).select_one(".flash").get_text()


def test_codes_are_rate_limited_per_held_sign_in(app, reader, user):
    app.config["TWO_FACTOR_LIMIT"] = "3 per 15 minutes"
    secret, _codes = enroll(reader)
    client = app.test_client()
    log_in(client, user.email)
    statuses = [enter_code(client, wrong_code(secret)).status_code for _ in range(4)]
    assert statuses == [400, 400, 400, 429]


def test_turning_it_off_needs_a_code(app, reader, user):
    secret, _codes = enroll(reader)
    page = soup(reader.get("/account/two-factor"))
    token = page.select_one('input[name="off-csrf_token"]')["value"]
    refused = reader.post("/account/two-factor/off", data={"off-csrf_token": token, "off-code": wrong_code(secret)})
    assert refused.status_code == 400
    response = reader.post("/account/two-factor/off", data={"off-csrf_token": token, "off-code": next_code(secret)})
    assert response.status_code == 303
    with app.app_context():
        assert db.session.get(User, user.id).totp_secret is None
    client = app.test_client()
    assert log_in(client, user.email).location == "/"


@pytest.fixture
def desk_needs_two_steps(app):
    app.config["DESK_REQUIRE_2FA"] = True


def test_the_desk_opens_only_from_a_sign_in_with_a_code(app, make_user, desk_needs_two_steps):
    make_user("editor@example.com", role="editor")
    before, editor = app.test_client(), app.test_client()
    log_in(before, "editor@example.com")  # signed in before two steps were set up
    log_in(editor, "editor@example.com")
    response = editor.get("/desk")
    assert response.status_code == 303 and response.location == "/account/two-factor"
    assert "The desk needs two-step sign-in" in soup(editor.get("/account/two-factor")).select_one(".flash").get_text()
    assert editor.get("/desk", headers={"HX-Request": "true"}).headers["HX-Redirect"] == "/account/two-factor"
    secret, _codes = enroll(editor)
    assert editor.get("/desk").status_code == 200  # this sign-in showed the app works
    assert before.get("/desk").location == "/account/two-factor"
    assert "sign in again with your authentication code" in soup(before.get("/account/two-factor")).get_text(" ")
    fresh = app.test_client()
    log_in(fresh, "editor@example.com")
    assert enter_code(fresh, next_code(secret)).status_code == 303
    assert fresh.get("/desk").status_code == 200
