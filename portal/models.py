"""Typed models and the small query functions that serve them."""

import enum
import re
import secrets
import unicodedata
from datetime import UTC, datetime

from flask_login import UserMixin
from sqlalchemy import (
    Boolean,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    delete,
    select,
    tuple_,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, contains_eager, joinedload, mapped_column, relationship, selectinload

from .extensions import db

# Ids are 32-bit integers on PostgreSQL: a larger number from a URL names nothing.
MAX_ID = 2**31 - 1


def is_id(value: int) -> bool:
    return 0 < value <= MAX_ID


def parse_id(raw: str | None) -> int | None:
    """An id written in a URL or form: ASCII digits naming a possible row, else None.
    (str.isdigit() alone accepts "²", which int() refuses.)"""
    if raw is None or not (raw.isascii() and raw.isdigit()) or len(raw) > 10:
        return None
    value = int(raw)
    return value if is_id(value) else None


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC on every backend (SQLite keeps no zone, so it is restored on load)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None:
            if value.tzinfo is None:
                raise ValueError("naive datetime; store timezone-aware UTC")
            value = value.astimezone(UTC)
            if dialect.name == "sqlite":
                value = value.replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def slugify(text: str, max_length: int = 80) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if len(slug) > max_length:
        cut = slug[: max_length + 1]
        # Cut at a word boundary unless the first word alone is too long.
        slug = cut.rsplit("-", 1)[0] if "-" in cut else slug[:max_length]
    return slug.strip("-") or "story"


class Kind(enum.Enum):
    news = "news"
    analysis = "analysis"
    roundup = "roundup"


class Status(enum.Enum):
    draft = "draft"
    published = "published"


class Section(db.Model):
    __tablename__ = "sections"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    description: Mapped[str] = mapped_column(String(300), default="")


class Author(db.Model):
    __tablename__ = "authors"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    email: Mapped[str] = mapped_column(String(254))
    bio: Mapped[str] = mapped_column(String(500), default="")


class ArticleAuthor(db.Model):
    """A byline entry: the authors of a story, in the order they are credited."""

    __tablename__ = "article_authors"
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("authors.id"), primary_key=True, index=True)
    position: Mapped[int] = mapped_column(default=0)
    author: Mapped[Author] = relationship(lazy="raise")


class Article(db.Model):
    __tablename__ = "articles"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    slug: Mapped[str] = mapped_column(String(120))
    summary: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[Kind] = mapped_column(Enum(Kind, native_enum=False, length=16), default=Kind.news)
    source_name: Mapped[str | None] = mapped_column(String(200))
    source_url: Mapped[str | None] = mapped_column(String(2000))
    # Imported from another outlet's feed: its entry id (GUID, or link when it has none), which
    # makes a second import of the same entry a no-op; the original author and time, as given.
    source_guid: Mapped[str | None] = mapped_column(String(2000), unique=True)
    source_author: Mapped[str | None] = mapped_column(String(200))
    source_published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    section_id: Mapped[int] = mapped_column(ForeignKey("sections.id"))
    status: Mapped[Status] = mapped_column(Enum(Status, native_enum=False, length=16), default=Status.draft)
    # When the story was published on this site; it orders the feed and never changes on edits.
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    section: Mapped[Section] = relationship(lazy="raise")
    bylines: Mapped[list[ArticleAuthor]] = relationship(
        order_by=ArticleAuthor.position, cascade="all, delete-orphan", lazy="raise"
    )

    __table_args__ = (
        # The feed's keyset queries: newest first overall, and per section.
        Index("ix_articles_feed", "status", "published_at", "id"),
        Index("ix_articles_section_feed", "section_id", "status", "published_at", "id"),
        # Ids leave the server (URLs, share codes, bookmarks): SQLite must never hand a deleted
        # story's id to a new one (PostgreSQL's sequences never go back).
        {"sqlite_autoincrement": True},
    )

    @property
    def authors(self) -> list[Author]:
        return [byline.author for byline in self.bylines]

    @property
    def url_values(self) -> dict:
        """The values of its canonical URL: url_for("articles.show", **article.url_values)."""
        return {"article_id": self.id, "slug": self.slug}

    @property
    def is_published(self) -> bool:
        return self.status is Status.published

    def set_authors(self, authors: list[Author]) -> None:
        self.bylines = [ArticleAuthor(author=a, position=i) for i, a in enumerate(authors)]

    def paragraphs(self) -> list[str]:
        return [p.strip() for p in re.split(r"\n\s*\n", self.body) if p.strip()]


def new_feed_token() -> str:
    return secrets.token_urlsafe(24)


class User(UserMixin, db.Model):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    display_name: Mapped[str | None] = mapped_column(String(80))
    is_editor: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Bumped on every password change; password-reset links name it, so a used link is void.
    session_version: Mapped[int] = mapped_column(default=1)
    # The secret in the private bookmarks feed's URL; the reader can reset it.
    feed_token: Mapped[str] = mapped_column(String(64), unique=True, default=new_feed_token)

    # A deleted account's id is never given to a new one, so nothing that named it names another.
    __table_args__ = ({"sqlite_autoincrement": True},)

    # The sign-in (UserSession) this object was loaded for, and the key its session cookie
    # carries: set by portal.sessions, never stored on the user.
    current_session = None
    session_key = None

    def get_id(self) -> str:
        """What Flask-Login keeps in the session cookie: the sign-in's random key, never the
        account's id, so ending that sign-in on the server ends every copy of the cookie."""
        if self.session_key is None:
            raise RuntimeError("sign in through portal.sessions.start_session()")
        return self.session_key

    @property
    def greeting_name(self) -> str:
        return self.display_name or self.email


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


class UserSession(db.Model):
    """One sign-in of a reader, on one browser. The session cookie carries its random key and a
    remember cookie its id and a validator; the row keeps only their SHA-256 digests."""

    __tablename__ = "user_sessions"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    key_digest: Mapped[str] = mapped_column(String(64), unique=True)
    # None: not remembered ("Keep me signed in" was not ticked).
    remember_digest: Mapped[str | None] = mapped_column(String(64))
    # The validator the last renewal replaced, and when: tabs restored together carry it.
    previous_remember_digest: Mapped[str | None] = mapped_column(String(64))
    remember_renewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # What the account page shows: "Firefox on Linux", and the network (not the address).
    browser: Mapped[str] = mapped_column(String(120), default="")
    network: Mapped[str] = mapped_column(String(64), default="")

    user: Mapped[User] = relationship(lazy="raise")

    __table_args__ = ({"sqlite_autoincrement": True},)


# ---- queries -------------------------------------------------------------

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


# ---- readers and bookmarks ---------------------------------------------------

def normalise_email(email: str) -> str:
    return email.strip().lower()


def user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def user_by_feed_token(token: str) -> User | None:
    return db.session.scalar(select(User).where(User.feed_token == token))


def save_bookmark(user: User, article_id: int) -> None:
    """Save a story for a reader; saving it again (or two saves racing) leaves one bookmark."""
    if bookmark_exists(user, article_id):
        return
    db.session.add(Bookmark(user_id=user.id, article_id=article_id))
    try:
        db.session.commit()
    except IntegrityError:
        # The same save won a race from another request: the story is saved, which was asked.
        db.session.rollback()


def remove_bookmark(user: User, article_id: int) -> None:
    db.session.execute(delete(Bookmark).where(Bookmark.user_id == user.id, Bookmark.article_id == article_id))
    db.session.commit()


def bookmark_exists(user: User, article_id: int) -> bool:
    return db.session.scalar(
        select(Bookmark.id).where(Bookmark.user_id == user.id, Bookmark.article_id == article_id)
    ) is not None


def saved_article_ids(user, articles) -> set[int]:
    """Which of these stories the reader has saved, in one query (none for anonymous readers)."""
    ids = [a.id for a in articles]
    if not ids or not getattr(user, "is_authenticated", False):
        return set()
    return set(db.session.scalars(
        select(Bookmark.article_id).where(Bookmark.user_id == user.id, Bookmark.article_id.in_(ids))
    ))


def bookmarks_after(user: User, after_id: int | None, limit: int) -> tuple[list[Bookmark], bool]:
    """A page of the reader's bookmarks, newest saved first, after the bookmark `after_id`.

    Bookmark ids grow with saving time, so the id alone is the cursor: it keeps its place even
    when that bookmark has been removed since.
    """
    stmt = saved_stories(user)
    if after_id is not None:
        stmt = stmt.where(Bookmark.id < after_id)
    rows = list(db.session.scalars(stmt.limit(limit + 1)))
    return rows[:limit], len(rows) > limit


def saved_stories(user: User):
    """The reader's bookmarks of published stories, newest saved first, with what a row shows."""
    return (
        select(Bookmark)
        .join(Bookmark.article)
        .where(Bookmark.user_id == user.id, Article.status == Status.published)
        .order_by(Bookmark.id.desc())
        .options(
            contains_eager(Bookmark.article).joinedload(Article.section),
            contains_eager(Bookmark.article).selectinload(Article.bylines).joinedload(ArticleAuthor.author),
        )
    )


def delete_user(user: User) -> None:
    """Delete the account, its bookmarks and its sign-ins (flushed; the caller commits)."""
    db.session.execute(delete(Bookmark).where(Bookmark.user_id == user.id))
    db.session.execute(delete(UserSession).where(UserSession.user_id == user.id))
    db.session.delete(user)
    db.session.flush()
