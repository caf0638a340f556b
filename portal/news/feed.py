"""The headline feed: front page, section, author and archive day lists, paged by a keyset cursor."""

from flask import Blueprint, abort, current_app, request

from ..web.htmx import is_fragment_request, render_page
from ..web.pagecache import reader_page
from . import kept_lists
from .lists import StoryList, cursor_arg
from .queries import listing_after, listing_through
from .rows import ReaderRows
from .top_story import top_story_block

bp = Blueprint("feed", __name__)


@bp.get("/")
@reader_page()
def index():
    return render_list(StoryList.front_page())


@bp.get("/sections/<slug>")
@reader_page()
def section(slug):
    return render_list(StoryList.of_section(slug))


@bp.get("/authors/<slug>")
@reader_page()
def author(slug):
    return render_list(StoryList.of_author(slug))


# /archive/2026/12/04: a day's stories in the newsroom's time zone. Fixed digits make one
# address a day (/archive/2026/12/4 is a 404); a date that does not exist is one too.
@bp.get("/archive/<int(fixed_digits=4):year>/<int(fixed_digits=2):month>/<int(fixed_digits=2):day>")
@reader_page()
def day(year, month, day):
    return render_list(StoryList.of_day(year, month, day))


def render_list(story_list: StoryList):
    """Render one list of stories, as a full page or as the fragment that continues it.

    `?after=<id>` gives the stories that follow that one; `?through=<id>` re-renders the list from
    the top down to that story, which is where the Back button returns to.
    """
    if "after" in request.args and "through" in request.args:
        abort(400, description="Use either “after” or “through”, not both.")
    after = cursor_arg("after", "page from")
    through = cursor_arg("through", "page from")
    if kept_lists.may_keep():
        return kept_lists.answer(story_list.key, lambda marks: _render_list(story_list, after, through, marks))
    return _render_list(story_list, after, through, ReaderRows(story_list.key))


def _render_list(story_list: StoryList, after, through, marks):
    """The list's page with `marks.rows(stories, return_to)` for its rows and `marks.reading()`
    for the reader's reading state (rows.ReaderRows, or kept_lists.ListRender's markers)."""
    config = current_app.config
    truncated = False
    if through is not None:
        stories, truncated, has_more = listing_through(through.story_id, config["FEED_THROUGH_CAP"],
                                                       **story_list.filters)
    else:
        stories, has_more = listing_after(after and after.story_id, config["FEED_PAGE_SIZE"],
                                          **story_list.filters)
    cursor = through or after
    if not stories and cursor is not None:
        cursor.refuse_if_unknown()

    through_url = story_list.through_urls()
    # Only a list shown from its top can have new stories announced above it.
    from_the_top = after is None and not truncated
    newest = stories[0].id if stories else None
    rows = marks.rows(stories, through_url)
    response = render_page(
        "news/list.html",
        "news/_story_list.html",
        story_list=story_list,
        stories=stories,
        rows=rows,
        reading=marks.reading(),
        # A list shown from its top is a visit to it: static/js/reading.js marks where it stood
        # at the last one ("Since your last visit"), and keeps this one.
        reading_list=story_list.key if after is None else None,
        next_url=story_list.url(after=stories[-1].id) if stories and has_more else None,
        paged=after is not None,
        truncated=truncated,
        live_url=story_list.live_url("live.notice", newest) if from_the_top else None,
        top_story=top_story_block() if from_the_top and story_list.is_front_page and not is_fragment_request() else None,
    )
    if is_fragment_request() and stories:
        # Keep the address bar on a URL that re-renders everything shown so far, without
        # adding a history entry per batch: Back from a story returns to this list.
        response.headers["HX-Replace-Url"] = through_url(stories[-1].id)
    return response
