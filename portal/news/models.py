"""The newsroom's stories: sections, reporters, bylines and articles."""

import enum
import re
from datetime import datetime

from sqlalchemy import JSON, Enum, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..media.lead_images import LeadImage
from ..web.timestamps import UTCDateTime, utcnow

# An adult's usual silent reading speed for news prose.
READING_WORDS_PER_MINUTE = 230


class Kind(enum.Enum):
    news = "news"
    analysis = "analysis"
    roundup = "roundup"


class Status(enum.Enum):
    """Only published stories are shown to readers. A scheduled one waits for `portal
    publish-due` to publish it at its publish_at. An unpublished one was withdrawn after
    publication: its page says so (410, with the public reason) and bookmarks mark it removed."""

    draft = "draft"
    scheduled = "scheduled"
    published = "published"
    unpublished = "unpublished"


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
    # Plain text: what search indexes, and what a story that came as text (demo, imports) shows.
    body: Mapped[str] = mapped_column(Text, default="")
    # A story written on the desk: its Markdown as the editor wrote it, and the sanitised HTML
    # made from it on save (portal.desk.markdown), which the page shows; body is its text.
    body_source: Mapped[str | None] = mapped_column(Text)
    body_html: Mapped[str | None] = mapped_column(Text)
    # Why a published story was withdrawn, as readers are told on its page (Status.unpublished).
    unpublished_note: Mapped[str | None] = mapped_column(Text)
    # Counts the desk's saves: a form opened at one revision is refused once the story has moved on.
    revision: Mapped[int] = mapped_column(default=1, server_default="1")
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
    # When `portal publish-due` may publish a scheduled story; what readers see follows status alone.
    publish_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Shown above the front page's list while set: the desk sets it for 24 hours, and publish-due
    # clears it when they are over (through the publishing path, so cached pages follow at once).
    top_until: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    # The lead image: the variants portal.media made of the upload (PreparedImage.as_record), its
    # description for readers who don't see it, and the caption or credit shown under it.
    lead_image: Mapped[dict | None] = mapped_column(JSON)
    lead_image_alt: Mapped[str | None] = mapped_column(String(500))
    lead_image_caption: Mapped[str | None] = mapped_column(String(500))
    # Any change to the row (the desk's "newest change first"); readers see corrected_at instead.
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # When a correction was last made in public (a Correction with its note); minor edits leave it.
    corrected_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    section: Mapped[Section] = relationship(lazy="raise")
    bylines: Mapped[list[ArticleAuthor]] = relationship(
        order_by=ArticleAuthor.position, cascade="all, delete-orphan", lazy="raise"
    )

    # Every update says which revision it changes (UPDATE ... WHERE revision = ...) and moves it on:
    # two saves of one revision cannot both land.
    __mapper_args__ = {"version_id_col": revision}  # noqa: RUF012 (read by SQLAlchemy, never changed)

    __table_args__ = (
        # The feed's keyset queries: newest first overall, and per section.
        Index("ix_articles_feed", "status", "published_at", "id"),
        Index("ix_articles_section_feed", "section_id", "status", "published_at", "id"),
        # publish-due's look for what is due.
        Index("ix_articles_schedule", "status", "publish_at"),
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
    def editable_body(self) -> str:
        """The body as an editor edits it: the Markdown, or the plain text of a story that came so."""
        return self.body_source if self.body_source is not None else self.body

    @property
    def lead(self) -> LeadImage | None:
        """The lead image as its page shows it."""
        return LeadImage.from_record(self.lead_image) if self.lead_image else None

    @property
    def modified_at(self) -> datetime | None:
        """What readers, feeds and search engines are told of as the story's last change."""
        return self.corrected_at or self.published_at

    @property
    def is_published(self) -> bool:
        return self.status is Status.published

    def set_authors(self, authors: list[Author]) -> None:
        self.bylines = [ArticleAuthor(author=a, position=i) for i, a in enumerate(authors)]

    def paragraphs(self) -> list[str]:
        return [p.strip() for p in re.split(r"\n\s*\n", self.body) if p.strip()]

    @property
    def reading_minutes(self) -> int:
        """Minutes the body takes to read at READING_WORDS_PER_MINUTE, to the nearest (a half
        up), at least 1; from the plain text, which a story written in Markdown keeps too."""
        return max(1, int(len(self.body.split()) / READING_WORDS_PER_MINUTE + 0.5))


class Correction(db.Model):
    """A correction made in public: the note readers see in the story's corrections log."""

    __tablename__ = "corrections"
    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    note: Mapped[str] = mapped_column(Text)


class ErrorReport(db.Model):
    """A reader's report of an error in a story ("Report an error"), listed on the desk."""

    __tablename__ = "error_reports"
    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    text: Mapped[str] = mapped_column(Text)
    # Only when the reader wants a reply.
    email: Mapped[str | None] = mapped_column(String(254))

    article: Mapped[Article] = relationship(lazy="raise")

    __table_args__ = ({"sqlite_autoincrement": True},)
