"""Admins give and take roles on /desk/staff, on the record; the last admin cannot be demoted."""

from sqlalchemy import select

from portal.extensions import db
from portal.models import AuditEntry, Role, User

from ..conftest import csrf_token_from
from ..helpers import soup


def role_of(app, email) -> Role:
    with app.app_context():
        return db.session.scalar(select(User.role).where(User.email == email))


def audit_entries(app) -> list[tuple[str, str, str, str]]:
    with app.app_context():
        return [(e.actor_email, e.action, e.subject, e.detail)
                for e in db.session.scalars(select(AuditEntry).order_by(AuditEntry.id))]


def post(client, url, **data):
    token = csrf_token_from(client.get("/desk/staff"))
    return client.post(url, data={"csrf_token": token, **data})


def test_an_admin_makes_a_reader_an_editor_by_email(app, signed_in, user):
    admin = signed_in("admin")
    response = post(admin, "/desk/staff", email="  Reader@Example.com ", role="editor")
    assert response.status_code == 303 and response.location == "/desk/staff"
    page = soup(admin.get("/desk/staff"))
    assert page.select_one(".flash").get_text(strip=True) == "reader@example.com is now an editor."
    rows = {row.th.get_text(strip=True): row.select_one("option[selected]").get_text() for row in page.select("tbody tr")}
    assert rows == {"admin@example.com (you)": "Admin", "reader@example.com": "Editor"}
    assert role_of(app, "reader@example.com") is Role.editor
    assert audit_entries(app)[-1] == ("admin@example.com", "role changed", f"user {user.id} reader@example.com",
                                      "reader → editor")


def test_an_unknown_email_or_role_is_a_form_error(app, signed_in):
    admin = signed_in("admin")
    response = post(admin, "/desk/staff", email="nobody@example.com", role="editor")
    assert response.status_code == 400
    assert "No account has that email" in soup(response).select_one(".field-errors").get_text()
    response = post(admin, "/desk/staff", email="admin@example.com", role="owner")
    assert response.status_code == 400
    response = post(admin, f"/desk/staff/{admin.account.id}", role="owner")
    assert response.status_code == 400
    assert "Choose reader, editor or admin." in soup(response).get_text(" ")
    assert post(admin, "/desk/staff/99999", role="editor").status_code == 404
    assert role_of(app, "admin@example.com") is Role.admin


def test_the_last_admin_cannot_be_demoted_but_one_of_two_can(app, signed_in):
    admin = signed_in("admin")
    response = post(admin, f"/desk/staff/{admin.account.id}", role="editor")
    assert response.status_code == 409
    assert "admin@example.com is the last admin. Make someone else an admin first." in soup(response).get_text(" ")
    assert role_of(app, "admin@example.com") is Role.admin
    second = signed_in("admin", "second@example.com")
    assert post(second, f"/desk/staff/{admin.account.id}", role="editor").status_code == 303
    assert role_of(app, "admin@example.com") is Role.editor
    assert post(second, f"/desk/staff/{second.account.id}", role="reader").status_code == 409
    assert role_of(app, "second@example.com") is Role.admin
    assert [entry[1:] for entry in audit_entries(app) if entry[1] == "role changed"] == [
        ("role changed", f"user {admin.account.id} admin@example.com", "admin → editor")]


def test_giving_the_role_someone_has_changes_nothing(app, signed_in):
    admin = signed_in("admin")
    editor = signed_in("editor")
    post(admin, f"/desk/staff/{editor.account.id}", role="editor")
    assert soup(admin.get("/desk/staff")).select_one(".flash").get_text(strip=True) == \
        "editor@example.com already had that role."
    assert not [entry for entry in audit_entries(app) if entry[1] == "role changed"]
