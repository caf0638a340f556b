"""Named queries over published stories: feed order, keyset pages, lookups by id and slug.

A list's page is one statement: the page's stories with what their rows show (ListedStory), its
cursor's place in feed order read by a subquery of that same statement. That statement is built
once for each shape of list and its values bound when it runs: building a statement and its
cache key costs SQLAlchemy more than SQLite takes to run it.
"""

from dataclasses import dataclass, field
from datetime import datetime
from functools import cache

from sqlalchemy import Integer, bindparam, select, tuple_
from sqlalchemy.orm import aliased, joinedload

from ..extensions import db
from ..web.ids import is_id
from .models import Article, ArticleAuthor, Author, Correction, Kind, Section, Status


def _with_listing_data(stmt):
    """What a headline row shows, in the same statement: the section and the bylines' authors."""
    return stmt.options(
        joinedload(Article.section),
        joinedload(Article.bylines).joinedload(ArticleAuthor.author),
    )


def _feed_order(stmt):
    return stmt.order_by(Article.published_at.desc(), Article.id.desc())


def published_stories(section_id=None, author_id=None, published_from=None, published_before=None):
    """Published stories in feed order, optionally one section's or one author's, or those
    published from one time until before another (values, or bound parameters that stand for
    them)."""
    stmt = select(Article).where(Article.status == Status.published)
    if published_from is not None:
        stmt = stmt.where(Article.published_at >= published_from)
    if published_before is not None:
        stmt = stmt.where(Article.published_at < published_before)
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


def cursor_position(article_id):
    """The feed position of story `article_id` (an id, or a bound parameter) as SQL, read by a
    subquery of the statement that uses it (so a cursor costs no statement of its own). For a
    story never published it is NULL, and no story compares with it."""
    published_at = select(_cursor_story.published_at).where(_cursor_story.id == article_id).scalar_subquery()
    return tuple_(published_at, article_id)


@dataclass(frozen=True, slots=True)
class NamedLink:
    """A section or reporter as a row names and links to it."""

    name: str
    slug: str


@dataclass(slots=True)
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
    """ListedStory objects from `_listing`'s rows (unpacked: naming a row's fields costs more)."""
    stories: dict[int, ListedStory] = {}
    for (story_id, title, slug, kind, source_name, published_at, section_name, section_slug,
         author_name, author_slug, *_) in rows:
        story = stories.get(story_id)
        if story is None:
            story = stories[story_id] = ListedStory(story_id, title, slug, kind, source_name, published_at,
                                                    NamedLink(section_name, section_slug))
        if author_slug is not None:
            story.authors.append(NamedLink(author_name, author_slug))
    return list(stories.values())


def _positions(stmt):
    return stmt.with_only_columns(Article.id, Article.published_at)


def _set_filters(**filters) -> dict:
    """The list's filters that are set (one section's or one author's stories, a span of
    publication times), by name."""
    return {name: value for name, value in filters.items() if value is not None}


def _filtered(filters: tuple[str, ...]):
    """Published stories in feed order, filtered by these bound parameters."""
    return published_stories(**{name: bindparam(name) for name in filters})


@cache
def _page_after(filters: tuple[str, ...], from_cursor: bool):
    base = _filtered(filters)
    if from_cursor:
        base = base.where(feed_position() < cursor_position(bindparam("after", type_=Integer)))
    return _listing(_positions(base).limit(bindparam("limit", type_=Integer)).subquery("page"))


def listing_after(after: int | None, limit: int, **filters) -> tuple[list[ListedStory], bool]:
    """One page of published stories (filtered as `published_stories` is, by `filters`) after
    story `after` (None: from the top), and whether more follow."""
    filters = _set_filters(**filters)
    values = {**filters, "limit": limit + 1}
    if after is not None:
        values["after"] = after
    stories = _listed_stories(db.session.execute(_page_after(tuple(filters), after is not None), values))
    return stories[:limit], len(stories) > limit


@cache
def _page_through(filters: tuple[str, ...]):
    base = _filtered(filters)
    position = cursor_position(bindparam("through", type_=Integer))
    # The next story below the cursor, if any: in feed order, so both engines walk the feed index
    # (as EXISTS, PostgreSQL may scan the table); not correlated, so it is evaluated once.
    next_older = base.where(feed_position() < position).with_only_columns(Article.id).limit(1)
    next_older = next_older.correlate(None).scalar_subquery()
    page = (
        _positions(base.where(feed_position() >= position))
        .order_by(None)
        .order_by(Article.published_at.asc(), Article.id.asc())
        .limit(bindparam("cap", type_=Integer))
        .subquery("page")
    )
    # Oldest first, so that a page over the cap loses its newest.
    return _listing(page, newest_first=False).add_columns(next_older.label("next_older_id"))


def listing_through(through: int, cap: int, **filters) -> tuple[list[ListedStory], bool, bool]:
    """The list (filtered as `published_stories` is, by `filters`) from its top down to story
    `through`, at most `cap` stories ending there; whether newer ones were left off above them,
    and whether older ones follow."""
    filters = _set_filters(**filters)
    values = {**filters, "through": through, "cap": cap + 1}
    rows = db.session.execute(_page_through(tuple(filters)), values).all()
    stories = _listed_stories(rows)
    has_older = bool(rows) and rows[0].next_older_id is not None
    return list(reversed(stories[:cap])), len(stories) > cap, has_older


def newest_stories(base, limit: int) -> list[Article]:
    """The first `limit` stories of `base`, with their sections and bylines, in one statement."""
    return list(db.session.scalars(_with_listing_data(base.limit(limit))).unique())


def top_story() -> Article | None:
    """The story the desk made the front page's top story, while it is published."""
    stmt = select(Article).where(Article.top_until.is_not(None), Article.status == Status.published)
    return next(iter(newest_stories(stmt, 1)), None)


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


def corrections_of(article: Article) -> list[Correction]:
    """The story's corrections log, oldest first (no query for a story never corrected)."""
    if article.corrected_at is None:
        return []
    return list(db.session.scalars(select(Correction).where(Correction.article_id == article.id).order_by(Correction.at)))


def get_withdrawn_article(article_id: int) -> Article | None:
    """A story unpublished after publication, whose page says why it was withdrawn."""
    if not is_id(article_id):
        return None
    return db.session.scalar(select(Article).where(Article.id == article_id, Article.status == Status.unpublished))


def section_by_slug(slug: str) -> Section | None:
    return db.session.scalar(select(Section).where(Section.slug == slug))


def author_by_slug(slug: str) -> Author | None:
    return db.session.scalar(select(Author).where(Author.slug == slug))


def all_sections() -> list[Section]:
    return list(db.session.scalars(select(Section).order_by(Section.id)))
