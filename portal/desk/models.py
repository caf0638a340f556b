"""What the desk keeps of its own: the audit log and each story's revisions."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
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


class StoryRevision(db.Model):
    """A story as one save left it (who, when, which button), for the desk's history and its diff
    with the save before."""

    __tablename__ = "story_revisions"
    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    editor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    editor_email: Mapped[str] = mapped_column(String(254))
    action: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(300))
    summary: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (Index("ix_story_revisions_article", "article_id", "id"), {"sqlite_autoincrement": True})
