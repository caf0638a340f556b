"""Who may open the desk: every desk route sends a stranger to sign in (htmx requests by
HX-Redirect), refuses a reader with 403, opens for editors, and keeps its admin pages for admins.
A role taken away closes the desk on the very next request."""

from urllib.parse import parse_qs, urlsplit

import pytest

from ..conftest import csrf_token_from
from ..helpers import soup

HX = {"HX-Request": "true", "HX-Current-URL": "http://localhost/desk?status=draft"}
ADMIN_ONLY = {"desk.staff", "desk.grant_role", "desk.set_role", "desk.audit"}


def desk_routes(app) -> list[tuple[str, str, str]]:
    """(endpoint, method, URL) of every desk route, with 1 for any id in it."""
    routes = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("desk."):
            url = (rule.rule.replace("<int:user_id>", "1").replace("<int:article_id>", "1")
                   .replace("<int:revision_id>", "1"))
            routes += [(rule.endpoint, method, url) for method in sorted(rule.methods - {"HEAD", "OPTIONS"})]
    return routes


def sign_in_next(location: str) -> str:
    """Where a sign-in link returns to."""
    parts = urlsplit(location)
    assert parts.path == "/login", location
    return parse_qs(parts.query)["next"][0]


def ask(client, method, url, headers=None):
    """The request as a browser would send it from a desk page opened earlier, CSRF token and all
    (without one, any POST is refused before anything else: tests/web)."""
    headers = dict(headers or {})
    data = None
    if method == "POST":
        token = page_token(client)
        data, headers["X-CSRFToken"] = {"csrf_token": token}, token
    return client.open(url, method=method, headers=headers, data=data)


def page_token(client) -> str:
    """A CSRF token of the client's session: from the account page, or the sign-in form's."""
    account = client.get("/account")
    return csrf_token_from(account if account.status_code == 200 else client.get("/login"))


def test_the_routes_checked_are_the_desks_routes(app):
    endpoints = {endpoint for endpoint, _method, _url in desk_routes(app)}
    assert endpoints == {"desk.index", "desk.audit", "desk.staff", "desk.grant_role", "desk.set_role",
                         "desk.new_story", "desk.create_story", "desk.edit_story", "desk.save_story", "desk.preview",
                         "desk.error_reports", "desk.story_revisions", "desk.story_revision"}


def test_a_stranger_is_sent_to_sign_in_and_back(app, client):
    for endpoint, method, url in desk_routes(app):
        response = ask(client, method, url)
        assert response.status_code == (302 if method == "GET" else 303), (endpoint, method)
        assert sign_in_next(response.location) == (url if method == "GET" else "/desk"), (endpoint, method)


def test_a_strangers_htmx_request_gets_hx_redirect_to_sign_in_from_the_page_it_was_on(app, client):
    for endpoint, method, url in desk_routes(app):
        response = ask(client, method, url, HX)
        assert response.status_code == 204, (endpoint, method)
        assert sign_in_next(response.headers["HX-Redirect"]) == "/desk?status=draft", (endpoint, method)
        assert response.get_data() == b""


def test_a_reader_is_refused_every_desk_route(app, reader):
    for endpoint, method, url in desk_routes(app):
        response = ask(reader, method, url)
        assert response.status_code == 403, (endpoint, method)
        assert "for the newsroom" in soup(response).get_text(" ")


def test_an_editor_opens_the_desk_but_not_the_admin_pages(app, signed_in):
    editor = signed_in("editor")
    assert editor.get("/desk").status_code == 200
    for endpoint, method, url in desk_routes(app):
        if endpoint in ADMIN_ONLY:
            assert ask(editor, method, url).status_code == 403, (endpoint, method)
    page = soup(editor.get("/desk"))
    assert [a.get_text() for a in page.select(".desk-nav a")] == ["Stories", "Error reports"]


@pytest.mark.parametrize("path", ["/desk", "/desk/staff", "/desk/audit"])
def test_an_admin_opens_every_desk_page(signed_in, path):
    admin = signed_in("admin")
    response = admin.get(path)
    assert response.status_code == 200
    assert [a.get_text() for a in soup(response).select(".desk-nav a")] == \
        ["Stories", "Error reports", "Staff and roles", "Audit log"]
    assert response.headers["Cache-Control"] == "private, no-cache"


def test_only_staff_see_the_desk_link_and_a_revoked_role_closes_the_desk_at_once(app, signed_in, reader):
    admin, editor = signed_in("admin"), signed_in("editor")
    desk_link = "nav.account-nav a[href='/desk']"
    assert soup(editor.get("/")).select_one(desk_link) is not None
    assert soup(reader.get("/")).select_one(desk_link) is None
    token = csrf_token_from(admin.get("/desk/staff"))
    response = admin.post(f"/desk/staff/{editor.account.id}", data={"csrf_token": token, "role": "reader"})
    assert response.status_code == 303
    assert editor.get("/desk").status_code == 403
    assert soup(editor.get("/")).select_one(desk_link) is None
