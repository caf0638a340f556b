"""What signed-in readers have read, and where each of their lists stood when they last loaded
it, kept so that both follow them from device to device (anonymous readers' browsers keep theirs,
static/js/reading.js). Each reader keeps at most HISTORY_KEPT stories read and LISTS_KEPT lists'
visits, the newest; an account's rows go with it (ON DELETE CASCADE)."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, bindparam, select
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..web.timestamps import UTCDateTime, utcnow

HISTORY_KEPT = 2000
LISTS_KEPT = 200


class StoryRead(db.Model):
    """A story the reader opened, last at `read_at`."""

    __tablename__ = "story_reads"
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True)
    read_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        # The newest first, for the cap and the export.
        Index("ix_story_reads_user_recent", "user_id", "read_at"),
    )


class ListVisit(db.Model):
    """The story at the top of one of the reader's lists (news.lists.StoryList.key) when they
    last loaded it."""

    __tablename__ = "list_visits"
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    list_key: Mapped[str] = mapped_column(String(130), primary_key=True)
    top_article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), index=True)
    visited_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


# The reader's marks for news.marks, one select each, joined there with the saved stories into
# one statement; built once, on the tables.
_reads, _visits = StoryRead.__table__.c, ListVisit.__table__.c
READ_AMONG = select(_reads.article_id, _reads.read_at).where(
    _reads.user_id == bindparam("user_id"), _reads.article_id.in_(bindparam("story_ids", expanding=True)))
LAST_VISIT = select(_visits.top_article_id, _visits.visited_at).where(
    _visits.user_id == bindparam("user_id"), _visits.list_key == bindparam("list_key"))
