"""A story's Markdown, rendered once on save into the HTML its page shows and the plain text
search indexes.

CommonMark by markdown-it-py with raw HTML off: HTML typed into the Markdown is escaped and shows
as text. The rendered HTML is then sanitised by nh3 (an allow-list of tags and attributes), so
nothing but plain content survives: no script or style, no event handler, no id, name, class,
style or hx-* attribute, no javascript: or data: URL. Headings move one level down (a story's
own headline is the page's h1), links get rel="noopener noreferrer", and images are kept only
when they come from the site's own media (MEDIA_PREFIX)."""

import html
import re

import nh3
from markdown_it import MarkdownIt

MEDIA_PREFIX = "/media/"
_TAGS = {"p", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "blockquote", "pre", "code", "em",
         "strong", "a", "img", "hr", "br", "table", "thead", "tbody", "tr", "th", "td", "del"}
_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title", "width", "height"},
               "ol": {"start"}, "th": {"align"}, "td": {"align"}}
_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table").enable("strikethrough")


def _shift_headings(tokens) -> None:
    # The headline is the page's h1: "# Heading" and "## Subheading" are both its subheadings
    # (h2), so neither way of writing one skips a level; deeper ones keep theirs.
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{max(int(token.tag[1]), 2)}"


def _keep_attribute(tag: str, attribute: str, value: str) -> str | None:
    if tag == "img" and attribute == "src" and not value.startswith(MEDIA_PREFIX):
        return None  # only the site's own images
    return value


def render(source: str) -> tuple[str, str]:
    """The sanitised HTML of this Markdown, and its plain text (paragraphs apart by blank lines)."""
    tokens = _markdown.parse(source or "")
    _shift_headings(tokens)
    raw = _markdown.renderer.render(tokens, _markdown.options, {})
    safe = nh3.clean(raw, tags=_TAGS, attributes=_ATTRIBUTES, url_schemes={"http", "https", "mailto"},
                     link_rel="noopener noreferrer", attribute_filter=_keep_attribute, strip_comments=True)
    # An <img> whose src was taken away shows nothing: drop it.
    safe = re.sub(r"<img(?![^>]*\ssrc=)[^>]*>", "", safe)
    return safe, plain_text(safe)


def plain_text(safe_html: str) -> str:
    """Text of sanitised HTML, a blank line between blocks."""
    blocks = re.sub(r"</(p|h[2-6]|li|blockquote|pre|tr)>", "\n\n", safe_html)
    text = html.unescape(nh3.clean(blocks, tags=set()))
    return "\n\n".join(part.strip() for part in re.split(r"\n\s*\n", text) if part.strip())
