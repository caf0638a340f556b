"""Importing a parsed feed: each new entry becomes a published roundup.

A roundup is signed by the desk's wire author and carries the entry's title, a short plain-text
excerpt, the outlet's name, the original author and time as given, and a link out to the
original. It is published through portal.news.operations.publish, in a transaction of its own,
so story_published goes out once for it, after its commit.

Duplicates: an entry's key is its GUID (or its link when it has none). GUIDs that are not URIs
(e.g. "1001") mean something only within their feed, so they are stored prefixed by the feed's
home page. An entry is skipped when its key, or its link, is already a stored key, or came
earlier in the same feed; the unique constraint on the key settles races between two imports.
"""

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..news.models import Article, ArticleAuthor, Author, Kind, Section
from ..news.operations import publish
from ..news.queries import author_by_slug, section_by_slug
from ..web.slugs import slugify
from ..web.timestamps import utcnow
from .fetch import read_source
from .parsers import Entry, ParsedFeed, parse_feed
from .text import KEY_MAX, excerpt_paragraphs, http_url, plain_text, shorten

TITLE_MAX = 300  # Article.title's column
NAME_MAX = 200  # source_name and source_author columns
SUMMARY_MAX = 300
BODY_MAX = 1200  # the excerpt on the article page; the rest is at the source
DERIVED_TITLE_MAX = 80

_URI_LIKE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:\S")


@dataclass
class ImportResult:
    source_name: str
    found: int = 0
    added: int = 0
    skipped: int = 0
    invalid: int = 0

    def summary(self) -> str:
        noun = "entry" if self.found == 1 else "entries"
        return (f'Imported {self.found} {noun} from "{self.source_name}": '
                f"{self.added} added, {self.skipped} skipped, {self.invalid} invalid.")


@dataclass
class Roundup:
    """An entry that passed the checks, with the values its article gets."""

    key: str
    link: str
    title: str
    summary: str
    body: str
    author: str | None
    published: datetime | None
    position: int


def import_source(source: str, name: str | None = None) -> ImportResult:
    """Read, parse and import one source; FeedError when the source itself is unusable."""
    data, url = read_source(source)
    feed = parse_feed(data, url)
    source_name = shorten(plain_text(name) or feed.title or _fallback_name(source), NAME_MAX)
    feed_key = feed.home or url or Path(source).expanduser().resolve().as_uri()
    return import_entries(feed, source_name, feed_key)


def _fallback_name(source: str) -> str:
    url = http_url(source)
    return (urlsplit(url).hostname if url else None) or Path(source).name or source


def import_entries(feed: ParsedFeed, source_name: str, feed_key: str) -> ImportResult:
    result = ImportResult(source_name=source_name, found=len(feed.entries))
    roundups = []
    for position, entry in enumerate(feed.entries):
        roundup = _roundup(entry, position, source_name, feed_key)
        if roundup is None:
            result.invalid += 1
        else:
            roundups.append(roundup)
    if not roundups:
        return result

    known = known_keys({r.key for r in roundups} | {r.link for r in roundups})
    # Import time, less a millisecond per place in the feed: on top of the site's feed, in the
    # source's own order.
    now = utcnow()
    section_id = author_id = None
    for roundup in roundups:
        if roundup.key in known or roundup.link in known:
            result.skipped += 1
            continue
        known.add(roundup.key)
        if author_id is None:
            section_id, author_id = import_section_id(), wire_author_id()
        article = Article(
            title=roundup.title, slug=slugify(roundup.title), summary=roundup.summary, body=roundup.body,
            kind=Kind.roundup, source_name=source_name, source_url=roundup.link, source_guid=roundup.key,
            source_author=roundup.author, source_published_at=roundup.published, section_id=section_id,
        )
        article.bylines = [ArticleAuthor(author_id=author_id, position=0)]
        try:
            publish(article, at=now - timedelta(milliseconds=roundup.position))
            # A transaction per entry: what is stored stays stored whatever a later entry meets.
            db.session.commit()
        except IntegrityError:
            # Another import stored the same entry since we looked: the constraint has the last
            # word. The rollback leaves nothing of this entry, its story_published included.
            db.session.rollback()
            if roundup.key not in known_keys({roundup.key}):
                raise
            result.skipped += 1
        else:
            result.added += 1
    return result


def known_keys(candidates: set[str]) -> set[str]:
    """Which of these entry keys (GUIDs or links) are stored already."""
    found: set[str] = set()
    values = sorted(candidates)
    for start in range(0, len(values), 500):
        chunk = values[start:start + 500]
        found.update(db.session.scalars(select(Article.source_guid).where(Article.source_guid.in_(chunk))))
    return found


def _roundup(entry: Entry, position: int, source_name: str, feed_key: str) -> Roundup | None:
    link = http_url(entry.link)
    if link is None:
        return None
    key = entry.guid or link
    if not _URI_LIKE.match(key):
        key = f"{feed_key} {key}"  # "1001" names an entry only within its own feed
    if len(key) > KEY_MAX:
        return None
    text = excerpt_paragraphs(entry.text, BODY_MAX)
    title = entry.title or (shorten(" ".join(text), DERIVED_TITLE_MAX) if text else "")
    if not title:
        return None
    summary = shorten(" ".join(entry.text), SUMMARY_MAX) if entry.text else ""
    body = "\n\n".join([*text, f"From {source_name}; the full story: {link}"])
    author = shorten(entry.author, NAME_MAX) if entry.author else None
    return Roundup(key=key, link=link, title=shorten(title, TITLE_MAX), summary=summary, body=body,
                   author=author, published=entry.published, position=position)


def wire_author_id() -> int:
    """The desk's wire author, who signs every roundup (made the first time it is needed, and
    committed at once: every import shares the row, and its unique slug settles a race for it)."""
    cfg = current_app.config
    name = cfg["WIRE_AUTHOR_NAME"]
    slug = slugify(name)
    author = author_by_slug(slug)
    if author is None:
        host = urlsplit(cfg["PUBLIC_URL"]).hostname if cfg.get("PUBLIC_URL") else None
        email = cfg.get("WIRE_AUTHOR_EMAIL") or f"wire@{host or 'example.com'}"
        db.session.add(Author(name=name, slug=slug, email=email, bio="Roundups of reporting from other outlets."))
        try:
            db.session.commit()
        except IntegrityError:  # made meanwhile by another import
            db.session.rollback()
        author = author_by_slug(slug)
    return author.id


def import_section_id() -> int:
    """PORTAL_IMPORT_SECTION's section, else the first section, else a new one of that slug
    (committed at once, as the wire author is)."""
    slug = current_app.config["IMPORT_SECTION"]
    section = section_by_slug(slug) or db.session.scalar(select(Section).order_by(Section.id).limit(1))
    if section is None:
        name = "Business & Tech" if slug == "business-tech" else slug.replace("-", " ").title()
        db.session.add(Section(name=name, slug=slug, description=""))
        try:
            db.session.commit()
        except IntegrityError:  # made meanwhile by another import
            db.session.rollback()
        section = db.session.scalar(select(Section).order_by(Section.id).limit(1))
    return section.id
