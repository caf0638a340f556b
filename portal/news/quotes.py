"""Quote sharing: a passage of a story as a link that opens the story scrolled to the passage and
highlighting it (the short link with a text fragment, /s/<code>#:~:text=..., which browsers carry
through the short link's redirect), and the QR code of that link.

Only a passage of the story (its headline, summary or body, at most QUOTE_MAX characters, widened
to whole words, since text fragments match whole words) gets a link or a QR code. Every passage is
a variant of its own, and there are many: answers stay in this process for a few minutes (the page
cache, not shared), never in Redis.
"""

import re
from urllib.parse import quote

import segno
from flask import Blueprint, make_response, request

from ..web.htmx import render_page
from ..web.pagecache import reader_page
from .queries import get_published_article
from .share import QrOptions, embeddable, encode, image_etag, image_width, plain_error, render_qr, share_url

bp = Blueprint("quotes", __name__)

QUOTE_MAX = 300
KEPT_SECONDS = 300  # in this process's page cache
RANGE_WORDS = 4  # a passage across paragraphs is named by its first and last words


class NotAPassage(ValueError):
    """The text asked for is not a passage of the story; the message says why."""


def _normalised(text: str) -> str:
    return " ".join(text.split())


def _blocks(article) -> list[str]:
    """The story's text as readers see it, block by block."""
    return [_normalised(block) for block in (article.title, article.summary or "", *article.paragraphs()) if block]


def passage_of(article, text: str | None) -> str:
    """The passage, whitespace as the page shows it and widened to whole words (a selection may
    begin or end inside one); NotAPassage if the story has no such text."""
    asked = _normalised(text or "")
    if not asked:
        raise NotAPassage("Select a passage of the story to share.")
    if len(asked) > QUOTE_MAX:
        raise NotAPassage(f"Choose a shorter passage: at most {QUOTE_MAX} characters.")
    story = " ".join(_blocks(article))
    start = story.find(asked)
    if start < 0:
        raise NotAPassage("That text is not a passage of this story.")
    end = start + len(asked)
    start = re.search(r"\w*$", story[:start]).start() if asked[0].isalnum() else start
    end += re.match(r"\w*", story[end:]).end() if asked[-1].isalnum() else 0
    passage = story[start:end]
    if len(passage) > QUOTE_MAX:
        raise NotAPassage(f"Choose a shorter passage: at most {QUOTE_MAX} characters.")
    return passage


def _directive_text(text: str) -> str:
    # Text directives reserve "-", "," and "&" besides what URLs reserve.
    return quote(text, safe="").replace("-", "%2D")


def text_fragment(article, passage: str) -> str:
    """`#:~:text=...`: the passage itself when one block holds it, else its first and last words
    (a text directive matches within one block)."""
    if any(passage in block for block in _blocks(article)):
        return "#:~:text=" + _directive_text(passage)
    words = passage.split()
    count = max(1, min(RANGE_WORDS, len(words) // 2))
    start, end = " ".join(words[:count]), " ".join(words[-count:])
    return f"#:~:text={_directive_text(start)},{_directive_text(end)}"


def quote_url(article, passage: str) -> str:
    return share_url(article) + text_fragment(article, passage)


def qr_width(url: str) -> int | None:
    """The width the link's QR code is drawn at (two pixels a module at least, so phones read it),
    None when the link is too long for a QR code (passages in CJK scripts or emoji take 9 to 12
    bytes a character once encoded)."""
    options = QrOptions()
    try:
        modules = encode(url, options.ecc).symbol_size(border=options.border)[0]
    except segno.DataOverflowError:
        return None
    return image_width(options.size, modules)


@bp.get("/articles/<int:article_id>/quote")
@reader_page(shared=False, ttl=KEPT_SECONDS)
def share_quote(article_id):
    """The quote, its link and its QR code: a fragment for the article page's Share quote
    dialog (static/js/quotes.js), or a page of its own."""
    article = get_published_article(article_id)
    if article is None:
        return _quote_page(None, None, "No published story has that number.", 404)
    try:
        passage = passage_of(article, request.args.get("text"))
    except NotAPassage as problem:
        return _quote_page(article, None, str(problem), 400)
    return _quote_page(article, passage, None, 200)


def _quote_page(article, passage, problem, status):
    link = quote_url(article, passage) if passage else None
    response = render_page("news/quote.html", "news/_quote_share.html", article=article, passage=passage,
                           problem=problem, link=link, qr_width=qr_width(link) if link else None)
    response.status_code = status
    return response


@bp.get("/articles/<int:article_id>/quote-qr.svg")
@reader_page(shared=False, ttl=KEPT_SECONDS, same_for_everyone=True)
def quote_qr(article_id):
    article = get_published_article(article_id)
    if article is None:
        return plain_error("No published article has that number.", 404)
    try:
        passage = passage_of(article, request.args.get("text"))
    except NotAPassage as problem:
        return plain_error(str(problem), 400)
    url = quote_url(article, passage)
    if qr_width(url) is None:
        return plain_error("That passage is too long for a QR code: choose a shorter one (its link works).", 400)
    response = make_response(render_qr(url, QrOptions(), "svg"))
    response.headers["Content-Type"] = "image/svg+xml"
    response.set_etag(image_etag(url, QrOptions(), "svg"))
    response.headers["Cache-Control"] = "public, max-age=86400"
    return embeddable(response)
