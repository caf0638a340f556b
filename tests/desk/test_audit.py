"""The audit log: staff sign-ins and role changes, newest first, for admins, paged by a cursor."""

from sqlalchemy import select

from portal.extensions import db
from portal.models import AuditEntry

from ..conftest import log_in
from ..helpers import soup


def test_staff_sign_ins_are_on_the_record_and_readers_are_not(app, signed_in, reader):
    signed_in("editor")
    admin = signed_in("admin")
    page = soup(admin.get("/desk/audit"))
    rows = [[cell.get_text(strip=True) for cell in row.select("td")][1:4] for row in page.select("tbody tr")]
    assert rows == [["admin@example.com", "signed in", "admin admin@example.com"],
                    ["editor@example.com", "signed in", "editor editor@example.com"]]


def test_the_log_is_paged_from_the_newest_entry(app, signed_in, make_user):
    admin = signed_in("admin")
    make_user("editor@example.com", role="editor")
    for _ in range(52):
        assert log_in(app.test_client(), "editor@example.com").status_code == 303
    first = soup(admin.get("/desk/audit"))
    assert len(first.select("tbody tr")) == 50
    older = first.select_one("a[rel=next]")["href"]
    rest = soup(admin.get(older))
    ids = [row["id"] for row in first.select("tbody tr")] + [row["id"] for row in rest.select("tbody tr")]
    with app.app_context():
        expected = [f"entry-{i}" for i in db.session.scalars(select(AuditEntry.id).order_by(AuditEntry.id.desc()))]
    assert ids == expected and len(ids) == 53
    assert rest.select_one("a[rel=next]") is None
    assert admin.get("/desk/audit?before=abc").status_code == 400
