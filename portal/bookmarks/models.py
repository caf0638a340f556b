"""Readers' saved stories, and the queries that read them."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, UniqueConstraint, bindparam, select
from sqlalchemy.orm import Mapped, contains_eager, mapped_column, relationship

from ..accounts.models import User
from ..extensions import db
from ..news.models import Article, ArticleAuthor, Status
from ..web.paging import page_of
from ..web.timestamps import UTCDateTime, utcnow


class Bookmark(db.Model):
    __tablename__ = "bookmarks"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    article: Mapped[Article] = relationship(lazy="raise")

    __table_args__ = (
        # One bookmark per reader and story, whatever the clicks, tabs or races.
        UniqueConstraint("user_id", "article_id"),
        # The bookmarks page: a reader's newest saves first (ids grow with saving time).
        Index("ix_bookmarks_user_recent", "user_id", "id"),
        {"sqlite_autoincrement": True},
    )


# Every list a signed-in reader opens runs it (news.marks, with the other kinds of marks): built
# once (on the table, so no ORM loading), since building it costs more than running it.
SAVED_AMONG = select(Bookmark.__table__.c.article_id, Bookmark.__table__.c.created_at).where(
    Bookmark.__table__.c.user_id == bindparam("user_id"),
    Bookmark.__table__.c.article_id.in_(bindparam("story_ids", expanding=True)),
)


def bookmarks_after(user: User, after_id: int | None, limit: int) -> tuple[list[Bookmark], bool]:
    """A page of the reader's bookmarks, newest saved first, after the bookmark `after_id`.

    Bookmark ids grow with saving time, so the id alone is the cursor: it keeps its place even
    when that bookmark has been removed since.
    """
    stmt = saved_stories(user, with_withdrawn=True)
    if after_id is not None:
        stmt = stmt.where(Bookmark.id < after_id)
    return page_of(stmt, limit)


def saved_stories(user: User, with_withdrawn: bool = False):
    """The reader's bookmarks of published stories, newest saved first, with what a row shows;
    `with_withdrawn` adds stories unpublished since (the bookmarks page marks them removed)."""
    shown = (Status.published, Status.unpublished) if with_withdrawn else (Status.published,)
    return (
        select(Bookmark)
        .join(Bookmark.article)
        .where(Bookmark.user_id == user.id, Article.status.in_(shown))
        .order_by(Bookmark.id.desc())
        .options(
            contains_eager(Bookmark.article).joinedload(Article.section),
            contains_eager(Bookmark.article).selectinload(Article.bylines).joinedload(ArticleAuthor.author),
        )
    )
