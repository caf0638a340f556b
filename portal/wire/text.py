"""What of a feed's markup is stored: plain text, and links out that are http(s).

Every piece of the feed's markup (titles and names too) goes through nh3, then loses its
remaining tags, so what is stored is plain text (templates escape it): no scripts, event
handlers, hx-* attributes, styles, frames or javascript: URLs survive as markup.
"""

import html
import re
from urllib.parse import urlsplit

import nh3

KEY_MAX = 2000  # source_guid and source_url columns

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
