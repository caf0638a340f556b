"""The `/search` page: the query from `?q=`, one page of results (`?page=`, up to MAX_PAGES), as a
full page or, for htmx, the results fragment."""

import re

from flask import Blueprint, abort, request, url_for

from ..web.htmx import is_fragment_request, render_page
from ..web.pagecache import reader_page
from .engines import BUSY, MAX_PAGES, search
from .query import MAX_ALTERNATIVES, MAX_QUERY_LENGTH, MAX_WORDS
from .slots import SearchSlots

bp = Blueprint("search", __name__)


@bp.record_once
def _limit_concurrent_searches(state):
    config = state.app.config
    state.app.extensions["search_slots"] = SearchSlots(
        state.app.instance_path, config["SEARCH_CONCURRENCY"], config["SEARCH_QUEUE"])


def _page_arg() -> int:
    raw = request.args.get("page", "1")
    if not re.fullmatch(r"[0-9]{1,6}", raw) or int(raw) < 1:
        abort(400, description="The page must be a whole number from 1.")
    page = int(raw)
    if page > MAX_PAGES:
        abort(400, description=f"Search results stop at page {MAX_PAGES}. "
                               "Try more specific words to find what you’re after.")
    return page


@bp.get("/search")
# Any words make a URL: kept briefly, in this process only.
@reader_page(shared=False, ttl=10)
def index():
    page = _page_arg()
    results = search(request.args.get("q", ""), page)

    def page_url(number):
        return url_for("search.index", q=results.query, page=number if number > 1 else None)

    response = render_page(
        "search/index.html",
        "search/_results.html",
        results=results,
        next_url=page_url(page + 1) if results.has_next else None,
        previous_url=page_url(page - 1) if page > 1 else None,
        title=f"Search: {results.query}" if results.query else "Search",
        max_pages=MAX_PAGES,
        max_query_length=MAX_QUERY_LENGTH,
        max_words=MAX_WORDS,
        max_alternatives=MAX_ALTERNATIVES,
        standalone_fragment=is_fragment_request(),
    )
    if results.message == BUSY:
        # An answer for this moment only: never stored, so the next try searches.
        response.headers["Cache-Control"] = "no-store"
    return response
