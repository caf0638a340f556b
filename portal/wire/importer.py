"""Other outlets' feeds in: `flask --app wsgi portal import-feed SOURCE` and `... portal poll-feeds`.

A SOURCE is an http(s) URL or a file path holding RSS 2.0, Atom or JSON Feed. Each entry becomes a
published roundup signed by the desk's wire author: its title, a short plain-text excerpt, the
outlet's name, the original author and time as given, and a link out to the original.

- Fetching: requests, with a timeout, a size cap (counted as the body streams in) and a User-Agent
  naming the site; http and https only. Files are read with the same cap.
- Parsing: feedparser for RSS and Atom (given a stream, never raw bytes: it would try bytes as a
  file name). feedparser 6.0 does not read JSON Feed, so JSON Feed 1.0/1.1 is read here.
- Text: every piece of the feed's markup (titles and names too) goes through nh3, then loses its
  remaining tags, so what is stored is plain text (templates escape it): no scripts, event
  handlers, hx-* attributes, styles, frames or javascript: URLs survive as markup.
- Characters: a JSON Feed's \\ud800 escapes can name lone surrogates, which no stored text can hold:
  an entry with one is invalid (skipped, counted), the rest of the feed is imported. In RSS and
  Atom, a character reference to no character (&#xD800;) is read as U+FFFD, as HTML does.
- Duplicates: an entry's key is its GUID (or its link when it has none). GUIDs that are not URIs
  (e.g. "1001") mean something only within their feed, so they are stored prefixed by the feed's
  home page. An entry is skipped when its key, or its link, is already a stored key, or came
  earlier in the same feed; the unique constraint on the key settles races between two imports.
"""

import html
import io
import json
import re
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import click
import feedparser
import nh3
import requests
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from ..extensions import db
from ..news.models import Article, ArticleAuthor, Author, Kind, Section, Status
from ..news.queries import author_by_slug, section_by_slug
from ..web.slugs import slugify
from ..web.timestamps import utcnow

TITLE_MAX = 300  # Article.title's column
NAME_MAX = 200  # source_name and source_author columns
KEY_MAX = 2000  # source_guid and source_url columns
SUMMARY_MAX = 300
BODY_MAX = 1200  # the excerpt on the article page; the rest is at the source
DERIVED_TITLE_MAX = 80

ACCEPT = ("application/rss+xml, application/atom+xml, application/feed+json, application/json;q=0.9, "
          "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.1")

# Kept (without any attribute) only to find paragraph breaks; every other tag is dropped.
BLOCK_TAGS = {"p", "div", "br", "li", "ul", "ol", "blockquote", "pre", "h1", "h2", "h3", "h4", "h5", "h6",
              "table", "tr", "hr", "section", "article", "figure", "figcaption", "dd", "dt"}
# Dropped with everything inside them.
DROPPED_WITH_CONTENT = {"script", "style", "iframe", "noscript", "template", "object", "embed", "svg",
                        "math", "textarea", "select", "button", "head", "title", "frameset", "noembed"}
_TAG = re.compile(r"<[^>]*>")
_BLOCK_BOUNDARY = re.compile(rf"</?(?:{'|'.join(sorted(BLOCK_TAGS - {'br'}))})\s*/?>", re.IGNORECASE)
_LINE_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)
_TAG_LIKE = re.compile(r"<[A-Za-z/!?]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_URI_LIKE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:\S")
_URL_WITH_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
_CHARACTER_REFERENCE = re.compile(rb"&#(?:[xX]([0-9A-Fa-f]+)|([0-9]+));")


class FeedError(Exception):
    """The source as a whole could not be read or parsed; the message is one line."""


# ---- text -----------------------------------------------------------------------

def _html_paragraphs_once(markup: str) -> list[str]:
    cleaned = nh3.clean(markup, tags=BLOCK_TAGS, attributes={}, clean_content_tags=DROPPED_WITH_CONTENT,
                        url_schemes={"http", "https"}, strip_comments=True)
    cleaned = _BLOCK_BOUNDARY.sub("\n\n", cleaned)
    cleaned = _LINE_BREAK.sub("\n", cleaned)
    text = html.unescape(_TAG.sub("", cleaned))
    text = _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    return [" ".join(p.split()) for p in re.split(r"\n\s*\n", text) if p.strip()]


def paragraphs(markup: str | None) -> list[str]:
    """Plain-text paragraphs of a piece of feed HTML (or plain text, which reads the same way).

    Text that still looks like markup once unescaped (markup escaped twice) is cleaned again, so
    what is stored is tag-free however many layers a feed wraps around it.
    """
    if not markup:
        return []
    result = _html_paragraphs_once(markup)
    for _ in range(3):
        joined = "\n\n".join(result)
        if not _TAG_LIKE.search(joined):
            return result
        result = _html_paragraphs_once(joined)
    return [_TAG_LIKE.sub(lambda m: m.group(0)[1:], p) for p in result]


def plain_text(markup: str | None) -> str:
    """One line of plain text: a title or a name."""
    return " ".join(paragraphs(markup))


def shorten(text: str, limit: int) -> str:
    """At most `limit` characters, cut at a word boundary with an ellipsis when cut."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut[limit // 2:]:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,.;:-–—") + "…"


def excerpt_paragraphs(paras: list[str], limit: int) -> list[str]:
    """The leading paragraphs, at most `limit` characters in all."""
    kept, used = [], 0
    for paragraph in paras:
        room = limit - used
        if room < 40:
            break
        kept.append(shorten(paragraph, room))
        used += len(kept[-1])
    return kept


def http_url(value: str | None) -> str | None:
    """The value if it is an absolute http(s) URL that fits the column, else None."""
    if not value or not isinstance(value, str):
        return None
    value = value.strip()
    try:
        parts = urlsplit(value)
    except ValueError:  # e.g. a malformed IPv6 host
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc or len(value) > KEY_MAX:
        return None
    if any(c.isspace() or ord(c) < 32 for c in value):
        return None
    return value


# ---- feeds, whatever their format -----------------------------------------------

@dataclass
class Entry:
    guid: str | None
    link: str | None
    title: str  # plain text, possibly empty
    text: list[str]  # plain-text paragraphs of the summary or content
    author: str | None
    published: datetime | None


@dataclass
class ParsedFeed:
    title: str
    home: str | None  # the outlet's home page, if the feed names one
    entries: list[Entry] = field(default_factory=list)


def parse_feed(data: bytes, base_url: str | None = None) -> ParsedFeed:
    """RSS, Atom or JSON Feed from bytes; FeedError when it is none of them."""
    if data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{"):
        return _parse_json_feed(data, base_url)
    headers = {"content-location": base_url} if base_url else {}
    parsed = feedparser.parse(io.BytesIO(_repair_character_references(data)), response_headers=headers)
    # dict.get throughout, not feedparser's own get: some of its key fallbacks warn (DeprecationWarning).
    items = dict.get(parsed, "entries") or []
    version = dict.get(parsed, "version") or ""
    if not items and (dict.get(parsed, "bozo") or not version):
        reason = dict.get(parsed, "bozo_exception")
        detail = f" ({_one_line(reason)})" if reason else ""
        raise FeedError(f"not an RSS, Atom or JSON feed{detail}")
    channel = dict.get(parsed, "feed") or {}
    atom = version.startswith("atom")
    feed = ParsedFeed(title=plain_text(dict.get(channel, "title")), home=http_url(dict.get(channel, "link")))
    for item in items:
        feed.entries.append(Entry(
            guid=_str(dict.get(item, "id")),
            link=_str(dict.get(item, "link")),
            title=plain_text(dict.get(item, "title")),
            text=paragraphs(_feedparser_text(item)),
            author=_atom_authors(item) if atom else _rss_author(dict.get(item, "author")),
            published=_from_struct_time(dict.get(item, "published_parsed") or dict.get(item, "updated_parsed")),
        ))
    return feed


def _repair_character_references(data: bytes) -> bytes:
    """References to no character (a surrogate, or beyond U+10FFFF) as U+FFFD, as HTML reads them:
    feedparser 6.0 raises on them, losing the whole feed (kurtmckee/feedparser#591)."""
    def repair(match: re.Match) -> bytes:
        hexadecimal, decimal = match[1], match[2]
        digits = (hexadecimal or decimal).lstrip(b"0")
        if len(digits) > 8:  # far beyond U+10FFFF (and int() would refuse thousands of digits)
            return b"&#xFFFD;"
        code = int(hexadecimal, 16) if hexadecimal else int(decimal)
        return b"&#xFFFD;" if 0xD800 <= code <= 0xDFFF or code > 0x10FFFF else match[0]
    return _CHARACTER_REFERENCE.sub(repair, data)


def _feedparser_text(item) -> str | None:
    summary = dict.get(item, "summary")
    if summary and summary.strip():
        return summary
    for content in dict.get(item, "content") or []:
        if dict.get(content, "value"):
            return content["value"]
    return None


def _atom_authors(item) -> str | None:
    names = [plain_text(dict.get(a, "name")) for a in dict.get(item, "authors") or []]
    return ", ".join(n for n in names if n) or None


def _rss_author(raw: str | None) -> str | None:
    """A name from RSS's <author> ("email (Name)") or <dc:creator>; a bare address is no name."""
    text = plain_text(raw)
    for pattern in (r"\S+@\S+\s*\((.+)\)", r"(.+?)\s*<\S+@\S+>", r"(.+?)\s*\(\S+@\S+\)"):
        match = re.fullmatch(pattern, text)
        if match:
            return match.group(1).strip() or None
    if re.fullmatch(r"\S+@\S+", text):
        return None
    return text or None


def _from_struct_time(value) -> datetime | None:
    try:
        return datetime(*value[:6], tzinfo=UTC) if value else None
    except (TypeError, ValueError):
        return None


def _parse_json_feed(data: bytes, base_url: str | None) -> ParsedFeed:
    """JSON Feed 1.0 and 1.1 (https://jsonfeed.org/version/1.1)."""
    try:
        document = json.loads(data)
    except (ValueError, RecursionError) as error:
        raise FeedError(f"not valid JSON ({_one_line(error)})") from None
    if not isinstance(document, dict) or not isinstance(document.get("items"), list):
        raise FeedError("JSON, but not a JSON Feed (no list of items)")
    title, home = (value if _is_text(value) else None
                   for value in (_str(document.get("title")), _str(document.get("home_page_url"))))
    feed = ParsedFeed(title=plain_text(title), home=http_url(_join(base_url, home) if base_url and home else home))
    for item in document["items"]:
        if not isinstance(item, dict) or not _is_text(item):
            feed.entries.append(Entry(None, None, "", [], None, None))  # counted as invalid
            continue
        link = _str(item.get("url")) or _str(item.get("external_url"))
        if link and base_url:
            link = _join(base_url, link)
        text = _str(item.get("summary")) or _str(item.get("content_html")) or _str(item.get("content_text"))
        authors = item.get("authors") if isinstance(item.get("authors"), list) else [item.get("author")]
        names = [plain_text(_str(a.get("name"))) for a in authors if isinstance(a, dict)]
        feed.entries.append(Entry(
            guid=_str(item.get("id")),
            link=link,
            title=plain_text(_str(item.get("title"))),
            text=paragraphs(text),
            author=", ".join(n for n in names if n) or None,
            published=_from_iso(_str(item.get("date_published")) or _str(item.get("date_modified"))),
        ))
    return feed


def _is_text(value) -> bool:
    """Whether a JSON value holds only characters (no lone surrogate), so it can be stored."""
    try:
        json.dumps(value, ensure_ascii=False).encode()
    except (UnicodeEncodeError, RecursionError):
        return False
    return True


def _join(base: str, url: str) -> str | None:
    try:
        return urljoin(base, url)
    except ValueError:
        return None


def _from_iso(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def _str(value) -> str | None:
    """Strings as they are, numbers (JSON Feed ids) as text, anything else as nothing."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


def _one_line(value) -> str:
    return shorten(" ".join(str(value).split()), 200)


# ---- reading a source -----------------------------------------------------------

def read_source(source: str) -> tuple[bytes, str | None]:
    """The bytes of a URL or file, and the URL they came from (None for a file)."""
    if _URL_WITH_SCHEME.match(source) or source.lower().startswith(("http:", "https:")):
        return fetch_url(source)
    return read_file(source), None


def fetch_url(url: str) -> tuple[bytes, str]:
    cfg = current_app.config
    timeout = float(cfg["FEED_FETCH_TIMEOUT"])
    cap = int(cfg["FEED_MAX_BYTES"])
    try:
        parts = urlsplit(url)
    except ValueError:
        raise FeedError("not a valid URL") from None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise FeedError("only http and https URLs (or a file path) can be imported")
    where = parts.netloc
    # A server that sends a byte now and then would keep a per-read timeout waiting for ever.
    deadline = time.monotonic() + 3 * timeout
    try:
        with requests.get(url, headers={"User-Agent": user_agent(), "Accept": ACCEPT},
                          timeout=timeout, stream=True) as response:
            if response.status_code != 200:
                raise FeedError(f"HTTP {response.status_code} {response.reason or ''}".rstrip())
            length = response.headers.get("Content-Length", "")
            if length.isascii() and length.isdigit() and int(length) > cap:
                raise FeedError(_too_large(cap, f"{int(length):,} bytes announced"))
            chunks, size = [], 0
            for chunk in response.iter_content(chunk_size=16 * 1024):
                size += len(chunk)
                if size > cap:
                    raise FeedError(_too_large(cap, "refused as it streamed in"))
                if time.monotonic() > deadline:
                    raise FeedError(f"download took longer than {3 * timeout:g} s")
                chunks.append(chunk)
            return b"".join(chunks), response.url
    except requests.exceptions.Timeout:
        raise FeedError(f"no answer from {where} within {timeout:g} s") from None
    except requests.exceptions.SSLError:
        raise FeedError(f"TLS error talking to {where}") from None
    except requests.exceptions.ConnectionError as error:
        reason = "connection refused" if "refused" in str(error).lower() else "connection failed"
        raise FeedError(f"could not connect to {where} ({reason})") from None
    except requests.exceptions.TooManyRedirects:
        raise FeedError("too many redirects") from None
    except (requests.exceptions.RequestException, ValueError) as error:
        raise FeedError(f"request failed ({type(error).__name__})") from None


def read_file(source: str) -> bytes:
    cap = int(current_app.config["FEED_MAX_BYTES"])
    path = Path(source).expanduser()
    try:
        with path.open("rb") as f:
            data = f.read(cap + 1)
    except FileNotFoundError:
        raise FeedError("no such file") from None
    except IsADirectoryError:
        raise FeedError("is a directory, not a feed file") from None
    except OSError as error:
        raise FeedError(f"cannot read the file ({error.strerror or type(error).__name__})") from None
    if len(data) > cap:
        raise FeedError(_too_large(cap, "file"))
    return data


def _too_large(cap: int, how: str) -> str:
    return f"larger than the {cap:,}-byte limit (PORTAL_FEED_MAX_BYTES; {how})"


def user_agent() -> str:
    cfg = current_app.config
    contact = f" (+{cfg['PUBLIC_URL']})" if cfg.get("PUBLIC_URL") else ""
    return f"{cfg['SITE_NAME']} feed importer/1.0{contact} python-requests/{requests.__version__}"


# ---- importing ------------------------------------------------------------------

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
            kind=Kind.roundup, status=Status.published,
            published_at=now - timedelta(milliseconds=roundup.position),
            source_name=source_name, source_url=roundup.link, source_guid=roundup.key,
            source_author=roundup.author, source_published_at=roundup.published, section_id=section_id,
        )
        article.bylines = [ArticleAuthor(author_id=author_id, position=0)]
        db.session.add(article)
        try:
            db.session.commit()
        except IntegrityError:
            # Another import stored the same entry since we looked: the constraint has the last word.
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
    """The desk's wire author, who signs every roundup (made the first time it is needed)."""
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
    """PORTAL_IMPORT_SECTION's section, else the first section, else a new one of that slug."""
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


# ---- configured sources ------------------------------------------------------------

def configured_sources(value) -> list[tuple[str | None, str | None]]:
    """PORTAL_FEED_SOURCES as (name, source) pairs; a source of None marks an unusable item.

    The setting is a JSON list whose items are {"name": ..., "url": ...} or plain URLs or paths;
    a plain string is read as URLs separated by spaces.
    """
    if not value:
        return []
    if isinstance(value, str):
        value = value.split()
    if not isinstance(value, list):
        return [(None, None)]
    sources = []
    for item in value:
        if isinstance(item, str) and item.strip():
            sources.append((None, item.strip()))
        elif isinstance(item, dict) and isinstance(item.get("url"), str) and item["url"].strip():
            name = item.get("name")
            name = (name.strip() or None) if isinstance(name, str) else None
            sources.append((name, item["url"].strip()))
        else:
            sources.append((None, None))
    return sources


# ---- commands ----------------------------------------------------------------------

@click.command("import-feed")
@click.argument("source")
@click.option("--name", help="The outlet's name to credit (default: the feed's own title).")
@with_appcontext
def import_feed(source: str, name: str | None):
    """Import an RSS 2.0, Atom or JSON Feed (a URL or a file) as roundups.

    Entries already imported (same GUID or link) are skipped, so running it again adds nothing.
    Exits non-zero only when the source itself cannot be read or parsed.
    """
    try:
        result = import_source(source, name)
    except FeedError as error:
        raise click.ClickException(f"{source}: {error}") from None
    click.echo(result.summary())


@click.command("poll-feeds")
@with_appcontext
def poll_feeds():
    """Import every source in PORTAL_FEED_SOURCES (for a cron job or a timer).

    One line per source: its summary, or why it was skipped. A source that fails never stops the
    others. Exits non-zero only when every configured source failed.
    """
    sources = configured_sources(current_app.config["FEED_SOURCES"])
    if not sources:
        click.echo("No feed sources configured (PORTAL_FEED_SOURCES).")
        return
    failed = 0
    for number, (name, source) in enumerate(sources, start=1):
        label = f'"{name}" ({source})' if name else source
        if source is None:
            failed += 1
            click.echo(f"Source {number} skipped: not a URL, a path or an object with a \"url\".", err=True)
            continue
        try:
            result = import_source(source, name)
        except FeedError as error:
            failed += 1
            click.echo(f"{label} skipped: {error}", err=True)
        except SQLAlchemyError as error:
            db.session.rollback()
            failed += 1
            click.echo(f"{label} skipped: database error ({type(error).__name__})", err=True)
        except Exception as error:  # a feed that trips a bug must not stop the other sources
            db.session.rollback()
            failed += 1
            current_app.logger.exception("poll-feeds: importing %s failed", source)
            click.echo(f"{label} skipped: unexpected {type(error).__name__}", err=True)
        else:
            click.echo(result.summary())
    click.echo(f"Polled {len(sources)} source{'s' if len(sources) != 1 else ''}: "
               f"{len(sources) - failed} read, {failed} failed.")
    if failed == len(sources):
        click.get_current_context().exit(1)
