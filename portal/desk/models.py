"""What the desk keeps of its own: the audit log."""

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..web.timestamps import UTCDateTime, utcnow


class AuditEntry(db.Model):
    """Who did what on the desk, and when: sign-ins of staff, role changes, publications and
    withdrawals. Kept when the account that acted is deleted (its email stays)."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    actor_email: Mapped[str] = mapped_column(String(254))
    action: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(String(400))
    detail: Mapped[str] = mapped_column(String(1000), default="")

    # Ids grow with time, so the id alone pages the log; never reused, so a link to an entry holds.
    __table_args__ = ({"sqlite_autoincrement": True},)
