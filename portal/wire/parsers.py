"""Feeds, whatever their format, as a ParsedFeed of plain-text Entries.

- RSS and Atom: feedparser (given a stream, never raw bytes: it would try bytes as a file name).
  A character reference to no character (&#xD800;) is read as U+FFFD, as HTML does.
- JSON Feed 1.0/1.1 is read here, as feedparser 6.0 does not read it. Its \\ud800 escapes can
  name lone surrogates, which no stored text can hold: an entry with one is invalid (skipped,
  counted), the rest of the feed is imported.
"""

import io
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urljoin

import feedparser

from .errors import FeedError
from .text import http_url, paragraphs, plain_text, shorten

_CHARACTER_REFERENCE = re.compile(rb"&#(?:[xX]([0-9A-Fa-f]+)|([0-9]+));")


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
