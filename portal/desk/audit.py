"""The desk's audit log: written by the operations that staff perform, read by admins."""

from flask import render_template, request
from sqlalchemy import select

from ..accounts.models import User
from ..extensions import db
from ..web.ids import id_arg
from ..web.paging import page_of
from .blueprint import admin_only, bp
from .models import AuditEntry

PAGE_SIZE = 50


# Who the log names for what no one did at that moment: the scheduled publication of a story.
SCHEDULER = "publish-due"


def record(actor: User | None, action: str, subject: str, detail: str = "") -> AuditEntry:
    """Add an entry for something `actor` did (None: `portal publish-due`, for a story an editor
    scheduled). Flushes; the caller commits it with the change."""
    entry = AuditEntry(actor_id=actor and actor.id, actor_email=actor.email if actor else SCHEDULER,
                       action=action, subject=subject, detail=detail[:1000])
    db.session.add(entry)
    db.session.flush()
    return entry


def record_desk_sign_in(_app, user: User, **_extra) -> None:
    """Receiver of accounts' signed_in_through_form: staff sign-ins are on the record."""
    if user.is_editor:
        record(user, "signed in", f"{user.role.value} {user.email}", f"from {request.remote_addr or 'unknown'}")


def entries_before(before_id: int | None, limit: int) -> tuple[list[AuditEntry], bool]:
    """A page of the log, newest first, older than the entry `before_id`."""
    stmt = select(AuditEntry).order_by(AuditEntry.id.desc())
    if before_id is not None:
        stmt = stmt.where(AuditEntry.id < before_id)
    return page_of(stmt, limit)


@bp.get("/audit")
@admin_only
def audit():
    entries, has_more = entries_before(id_arg("before", "log entry"), PAGE_SIZE)
    return render_template("desk/audit.html", entries=entries,
                           older=entries[-1].id if entries and has_more else None)
