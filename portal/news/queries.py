"""Named queries over published stories: feed order, keyset pages, lookups by id and slug."""

from datetime import datetime

from sqlalchemy import select, tuple_
from sqlalchemy.orm import joinedload, selectinload

from ..extensions import db
from ..web.ids import is_id
from .models import Article, ArticleAuthor, Author, Section, Status


def _with_listing_data(stmt):
    """What a headline row shows, loaded in a fixed number of statements."""
    return stmt.options(
        joinedload(Article.section),
        selectinload(Article.bylines).joinedload(ArticleAuthor.author),
    )


def _feed_order(stmt):
    return stmt.order_by(Article.published_at.desc(), Article.id.desc())


def published_stories(section: Section | None = None, author: Author | None = None):
    """Published stories in feed order, optionally one section's or one author's."""
    stmt = select(Article).where(Article.status == Status.published)
    if section is not None:
        stmt = stmt.where(Article.section_id == section.id)
    if author is not None:
        stmt = stmt.where(
            select(ArticleAuthor.article_id)
            .where(ArticleAuthor.article_id == Article.id, ArticleAuthor.author_id == author.id)
            .exists()
        )
    return _feed_order(stmt)


def feed_cursor(article_id: int) -> tuple[datetime, int] | None:
    """The feed position of a story that has been published, even if unpublished since."""
    if not is_id(article_id):
        return None
    published_at = db.session.scalar(select(Article.published_at).where(Article.id == article_id))
    if published_at is None:
        return None
    return published_at, article_id


def feed_position():
    """A story's place in feed order, for keyset comparisons with a cursor."""
    return tuple_(Article.published_at, Article.id)


def stories_after(base, cursor: tuple[datetime, int] | None, limit: int) -> tuple[list[Article], bool]:
    """One page of `base` after the cursor, and whether more follow."""
    stmt = base if cursor is None else base.where(feed_position() < cursor)
    rows = list(db.session.scalars(_with_listing_data(stmt.limit(limit + 1))))
    return rows[:limit], len(rows) > limit


def has_stories_after(base, cursor: tuple[datetime, int]) -> bool:
    return bool(db.session.scalar(select(base.where(feed_position() < cursor).limit(1).exists())))


def stories_through(base, cursor: tuple[datetime, int], cap: int) -> tuple[list[Article], bool]:
    """The list from its top down to the cursor's story, at most `cap` rows ending there.

    Returns the rows and whether newer rows were left off above them.
    """
    stmt = base.where(feed_position() >= cursor)
    newest_first = list(
        db.session.scalars(
            _with_listing_data(
                stmt.order_by(None).order_by(Article.published_at.asc(), Article.id.asc()).limit(cap + 1)
            )
        )
    )
    truncated = len(newest_first) > cap
    return list(reversed(newest_first[:cap])), truncated


def has_any_story() -> bool:
    """Whether any story exists, published or not."""
    return db.session.scalar(select(Article.id).limit(1)) is not None


def get_published_article(article_id: int) -> Article | None:
    if not is_id(article_id):
        return None
    stmt = _with_listing_data(
        select(Article).where(Article.id == article_id, Article.status == Status.published)
    )
    return db.session.scalar(stmt)


def section_by_slug(slug: str) -> Section | None:
    return db.session.scalar(select(Section).where(Section.slug == slug))


def author_by_slug(slug: str) -> Author | None:
    return db.session.scalar(select(Author).where(Author.slug == slug))


def all_sections() -> list[Section]:
    return list(db.session.scalars(select(Section).order_by(Section.id)))
