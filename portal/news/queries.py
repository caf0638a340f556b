"""Named queries over published stories: feed order, keyset pages, lookups by id and slug.

A list's page is one statement: the page's stories with what their rows show (ListedStory), its
cursor's place in feed order read by a subquery of that same statement.
"""

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import literal, select, tuple_
from sqlalchemy.orm import aliased, joinedload

from ..extensions import db
from ..web.ids import is_id
from .models import Article, ArticleAuthor, Author, Kind, Section, Status


def _with_listing_data(stmt):
    """What a headline row shows, in the same statement: the section and the bylines' authors."""
    return stmt.options(
        joinedload(Article.section),
        joinedload(Article.bylines).joinedload(ArticleAuthor.author),
    )


def _feed_order(stmt):
    return stmt.order_by(Article.published_at.desc(), Article.id.desc())


def published_stories(section_id: int | None = None, author_id: int | None = None):
    """Published stories in feed order, optionally one section's or one author's."""
    stmt = select(Article).where(Article.status == Status.published)
    if section_id is not None:
        stmt = stmt.where(Article.section_id == section_id)
    if author_id is not None:
        stmt = stmt.where(
            select(ArticleAuthor.article_id)
            .where(ArticleAuthor.article_id == Article.id, ArticleAuthor.author_id == author_id)
            .exists()
        )
    return _feed_order(stmt)


def was_ever_published(article_id: int) -> bool:
    """Whether the story has a feed position: it has been published, even if unpublished since."""
    if not is_id(article_id):
        return False
    return db.session.scalar(select(Article.published_at).where(Article.id == article_id)) is not None


def feed_position():
    """A story's place in feed order, for keyset comparisons with a cursor."""
    return tuple_(Article.published_at, Article.id)


# The story a cursor names, beside the stories paged from it (made once: aliasing costs).
_cursor_story = aliased(Article, name="cursor_story")


def cursor_position(article_id: int):
    """The feed position of story `article_id` as SQL, read by a subquery of the statement that
    uses it (so a cursor costs no statement of its own). For a story never published it is
    NULL, and no story compares with it."""
    published_at = select(_cursor_story.published_at).where(_cursor_story.id == article_id).scalar_subquery()
    return tuple_(published_at, literal(article_id))


@dataclass(frozen=True)
class NamedLink:
    """A section or reporter as a row names and links to it."""

    name: str
    slug: str


@dataclass
class ListedStory:
    """What a headline row shows of a story: read as plain columns, which costs a fraction of
    loading Article objects (a row kept rendered, portal.news.rows, needs none of it but its id)."""

    id: int
    title: str
    slug: str
    kind: Kind
    source_name: str | None
    published_at: datetime
    section: NamedLink
    authors: list[NamedLink] = field(default_factory=list)


def _listing(page, newest_first: bool = True):
    """What the rows of `page`'s stories show (`page`: a subquery of their ids and feed
    positions), in feed order or its reverse, a row per byline: one statement with the page's."""
    order = (page.c.published_at, page.c.id)
    if newest_first:
        order = tuple(column.desc() for column in order)
    return (
        select(Article.id, Article.title, Article.slug, Article.kind, Article.source_name,
               Article.published_at, Section.name.label("section_name"), Section.slug.label("section_slug"),
               Author.name.label("author_name"), Author.slug.label("author_slug"))
        .join(page, page.c.id == Article.id)
        .join(Section, Section.id == Article.section_id)
        .outerjoin(ArticleAuthor, ArticleAuthor.article_id == Article.id)
        .outerjoin(Author, Author.id == ArticleAuthor.author_id)
        .order_by(*order, ArticleAuthor.position)
    )


def _listed_stories(rows) -> list[ListedStory]:
    stories: dict[int, ListedStory] = {}
    for row in rows:
        story = stories.get(row.id)
        if story is None:
            story = stories[row.id] = ListedStory(
                row.id, row.title, row.slug, row.kind, row.source_name, row.published_at,
                NamedLink(row.section_name, row.section_slug))
        if row.author_slug is not None:
            story.authors.append(NamedLink(row.author_name, row.author_slug))
    return list(stories.values())


def _positions(stmt):
    return stmt.with_only_columns(Article.id, Article.published_at)


def listing_after(base, after: int | None, limit: int) -> tuple[list[ListedStory], bool]:
    """One page of `base` after story `after` (None: from the top), and whether more follow."""
    stmt = base if after is None else base.where(feed_position() < cursor_position(after))
    page = _positions(stmt).limit(limit + 1).subquery("page")
    stories = _listed_stories(db.session.execute(_listing(page)))
    return stories[:limit], len(stories) > limit


def listing_through(base, through: int, cap: int) -> tuple[list[ListedStory], bool, bool]:
    """The list from its top down to story `through`, at most `cap` stories ending there, in one
    statement; whether newer ones were left off above them, and whether older ones follow."""
    position = cursor_position(through)
    # Not correlated with the rows around it: SQLite and PostgreSQL evaluate it once.
    older = _positions(base.where(feed_position() < position)).limit(1).correlate(None).exists()
    page = (
        _positions(base.where(feed_position() >= position))
        .order_by(None)
        .order_by(Article.published_at.asc(), Article.id.asc())
        .limit(cap + 1)
        .subquery("page")
    )
    # Oldest first, so that a page over the cap loses its newest.
    rows = db.session.execute(_listing(page, newest_first=False).add_columns(older.label("has_older"))).all()
    stories = _listed_stories(rows)
    has_older = bool(rows and rows[0].has_older)
    return list(reversed(stories[:cap])), len(stories) > cap, has_older


def stories_after(base, after: int | None, limit: int) -> tuple[list[Article], bool]:
    """One page of `base` after story `after` as stories with what a row shows, in one
    statement, and whether more follow."""
    stmt = base if after is None else base.where(feed_position() < cursor_position(after))
    rows = list(db.session.scalars(_with_listing_data(stmt.limit(limit + 1))).unique())
    return rows[:limit], len(rows) > limit


def has_any_story() -> bool:
    """Whether any story exists, published or not."""
    return db.session.scalar(select(Article.id).limit(1)) is not None


def get_published_article(article_id: int) -> Article | None:
    if not is_id(article_id):
        return None
    stmt = _with_listing_data(
        select(Article).where(Article.id == article_id, Article.status == Status.published)
    )
    return db.session.scalars(stmt).unique().one_or_none()


def section_by_slug(slug: str) -> Section | None:
    return db.session.scalar(select(Section).where(Section.slug == slug))


def author_by_slug(slug: str) -> Author | None:
    return db.session.scalar(select(Author).where(Author.slug == slug))


def all_sections() -> list[Section]:
    return list(db.session.scalars(select(Section).order_by(Section.id)))
