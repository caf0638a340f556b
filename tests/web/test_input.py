"""Bad input gets a clear 400, a 404 or a form message, never a 500.

A NUL fails only on PostgreSQL (psycopg refuses it in text), so these tests find the old 500s
when the suite runs with PORTAL_TEST_DATABASE_URL; on SQLite they check the same answers.
"""

from urllib.parse import urlsplit

import pytest
from flask_wtf import FlaskForm
from wtforms import StringField

from portal.extensions import db
from portal.models import User
from portal.web import forms

from ..conftest import PASSWORD, csrf_token_from, log_in, make_app
from ..helpers import soup

NOT_ACCEPTED = "That contains a character we can’t accept."


def error_heading(response) -> str:
    page = soup(response)
    assert page.select_one("header.masthead") is not None  # the site's own error page
    return page.select_one("main h1").get_text()


# ---- NUL in addresses ------------------------------------------------------------------------

@pytest.mark.parametrize("path", [
    "/sections/{section}%00", "/authors/{author}%00", "/sections/{section}%00/feed.atom",
    "/authors/{author}%00/feed.atom", "/sections/a%00b",
])
def test_a_nul_in_a_slug_is_not_found(client, factory, path):
    story = factory.story()
    response = client.get(path.format(section=story.section.slug, author="desk-reporter"))
    assert response.status_code == 404
    assert error_heading(response) == "We couldn’t find that page"


@pytest.mark.parametrize("endpoint", ["/live/new", "/live/stories"])
def test_a_nul_in_the_live_section_is_refused(client, factory, endpoint):
    story = factory.story()
    response = client.get(endpoint, query_string={"section": f"{story.section.slug}\x00", "newest": story.id},
                          headers={"HX-Request": "true"})
    # No section has that slug (the sections are looked up among those kept for the content
    # version, so the value never reaches the database, which could refuse it): a clear 404.
    assert response.status_code == 404


# ---- NUL and other control characters in forms ------------------------------------------------

def field_errors(response, name) -> list[str]:
    page = soup(response)
    field = page.select_one(f'[name="{name}"]')
    errors = page.select_one(f"#{field['id']}-errors")
    return [item.get_text() for item in errors.select("li")] if errors else []


@pytest.mark.parametrize("value", ["reader\x00@example.com", "reader@example.com\x00", "\x01reader@example.com"])
def test_a_control_character_in_the_login_email_is_a_form_message(client, user, value):
    token = csrf_token_from(client.get("/login"))
    response = client.post("/login", data={"email": value, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 400
    assert field_errors(response, "email") == [NOT_ACCEPTED]


def test_a_nul_in_the_login_password_is_a_form_message(client, user):
    token = csrf_token_from(client.get("/login"))
    response = client.post("/login", data={"email": user.email, "password": "pass\x00word", "csrf_token": token})
    assert response.status_code == 400
    assert field_errors(response, "password") == [NOT_ACCEPTED]


def test_a_nul_in_the_reset_email_is_a_form_message(client, user):
    token = csrf_token_from(client.get("/reset-password"))
    response = client.post("/reset-password", data={"email": f"{user.email}\x00", "csrf_token": token})
    assert response.status_code == 400
    assert field_errors(response, "email") == [NOT_ACCEPTED]


@pytest.mark.parametrize("field, value", [("display_name", "Ada\x00Lee"), ("email", "ada\x00@example.com")])
def test_a_nul_in_registration_is_a_form_message(app, client, field, value):
    token = csrf_token_from(client.get("/register"))
    data = {"email": "ada@example.com", "display_name": "Ada", "password": "a long enough passphrase",
            "confirm": "a long enough passphrase", "csrf_token": token, field: value}
    response = client.post("/register", data=data)
    assert response.status_code == 400
    assert field_errors(response, field) == [NOT_ACCEPTED]
    with app.app_context():
        assert db.session.query(User).count() == 0


def test_a_nul_in_a_hidden_field_is_said_above_the_form(client, user):
    token = csrf_token_from(client.get("/login"))
    response = client.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token,
                                           "next": "/sections/x\x00"})
    assert response.status_code == 400
    assert soup(response).select_one(".form-errors").get_text(strip=True) == NOT_ACCEPTED


def all_subclasses(cls):
    for subclass in cls.__subclasses__():
        yield subclass
        yield from all_subclasses(subclass)


def test_every_text_field_of_every_form_checks_its_characters(app):
    made = [form for form in all_subclasses(FlaskForm) if form.__module__.startswith("portal.")]
    assert made and all(issubclass(form, forms.Form) for form in made), "portal forms derive from forms.Form"
    with app.test_request_context():
        for form_class in made:
            form = form_class()
            text_fields = [field for field in form if isinstance(field, StringField)]
            for field in text_fields:
                assert field.validators[0] is forms.acceptable_characters, (form_class.__name__, field.name)


# ---- CR or LF in `next` -----------------------------------------------------------------------

CRLF_TARGETS = ["/\r\nSet-Cookie: session=forged", "/account\nLocation: https://evil.example/", "/\rx"]


def assert_safe_redirect(response):
    assert response.status_code == 303
    location = response.headers["Location"]
    assert "\r" not in location and "\n" not in location
    parts = urlsplit(location)
    assert parts.netloc in ("", "localhost") and parts.path.startswith("/") and not parts.path.startswith("//")
    assert "Set-Cookie" not in response.headers or "forged" not in response.headers["Set-Cookie"]


@pytest.mark.parametrize("target", CRLF_TARGETS)
@pytest.mark.parametrize("page", ["/login", "/register"])
def test_cr_or_lf_in_next_on_a_get_is_harmless(client, user, page, target):
    assert client.get(page, query_string={"next": target}).status_code == 200
    log_in(client, user.email)
    assert_safe_redirect(client.get(page, query_string={"next": target}))  # signed in: straight back


@pytest.mark.parametrize("target", CRLF_TARGETS)
def test_cr_or_lf_in_next_on_login_is_harmless(client, user, target):
    token = csrf_token_from(client.get("/login", query_string={"next": target}))
    response = client.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token,
                                           "next": target})
    assert_safe_redirect(response)


@pytest.mark.parametrize("target", CRLF_TARGETS)
def test_cr_or_lf_in_next_on_register_is_harmless(client, target):
    token = csrf_token_from(client.get("/register", query_string={"next": target}))
    response = client.post("/register", data={
        "email": "new@example.com", "password": "a long enough passphrase", "confirm": "a long enough passphrase",
        "csrf_token": token, "next": target})
    assert_safe_redirect(response)


# ---- multipart bodies --------------------------------------------------------------------------

NAMELESS_PARTS = [
    b'Content-Disposition: form-data\r\n\r\nvalue',  # no name at all: werkzeug files it under None
    b'Content-Disposition: form-data; name=""\r\n\r\nvalue',
    b'Content-Disposition: form-data; filename="a.txt"\r\nContent-Type: text/plain\r\n\r\nfile',
    b'Content-Disposition: form-data; name=""; filename="a.txt"\r\n\r\nfile',
]


def multipart(*parts: bytes) -> bytes:
    return b"".join(b"--XyZ\r\n" + part + b"\r\n" for part in parts) + b"--XyZ--\r\n"


def field_part(name: str, value: str) -> bytes:
    return f'Content-Disposition: form-data; name="{name}"\r\n\r\n{value}'.encode()


def post_routes(app) -> list[str]:
    values = {"article_id": 1, "token": "t" * 20, "session_id": 1, "user_id": 1}
    with app.test_request_context():
        from flask import url_for

        return sorted({url_for(rule.endpoint, **{arg: values[arg] for arg in rule.arguments})
                       for rule in app.url_map.iter_rules() if "POST" in rule.methods})


@pytest.mark.parametrize("part", NAMELESS_PARTS)
def test_a_nameless_multipart_part_is_a_400_on_every_post_route(tmp_path, part):
    app = make_app(tmp_path)
    client = app.test_client()
    routes = post_routes(app)
    assert {"/login", "/register", "/logout", "/reset-password", "/bookmarks/1"} <= set(routes)
    for route in routes:
        response = client.post(route, data=multipart(part), content_type="multipart/form-data; boundary=XyZ")
        assert response.status_code == 400, route
        assert error_heading(response) == "That form had expired", route  # no CSRF token: the usual page


@pytest.mark.parametrize("part", NAMELESS_PARTS)
def test_a_form_with_a_nameless_part_still_works(client, user, part):
    token = csrf_token_from(client.get("/login"))
    body = multipart(part, field_part("csrf_token", token), field_part("email", user.email),
                     field_part("password", PASSWORD))
    response = client.post("/login", data=body, content_type="multipart/form-data; boundary=XyZ")
    assert response.status_code == 303


# ---- request size ------------------------------------------------------------------------------

def test_request_bodies_are_capped_by_default(app):
    assert app.config["MAX_CONTENT_LENGTH"] == 64 * 1024


@pytest.mark.parametrize("content_type", ["application/x-www-form-urlencoded", "multipart/form-data"])
def test_a_body_over_the_cap_gets_the_413_page(client, user, content_type):
    token = csrf_token_from(client.get("/login"))
    data = {"email": user.email, "password": PASSWORD, "csrf_token": token, "padding": "x" * (65 * 1024)}
    response = client.post("/login", data=data, content_type=content_type)
    assert response.status_code == 413
    assert error_heading(response) == "That was more than we accept"


def test_a_form_under_the_cap_is_read(client, user):
    token = csrf_token_from(client.get("/login"))
    data = {"email": user.email, "password": PASSWORD, "csrf_token": token, "padding": "x" * (60 * 1024)}
    assert client.post("/login", data=data).status_code == 303
