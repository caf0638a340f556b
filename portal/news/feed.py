"""The headline feed: front page, section and author lists, paged by a keyset cursor."""

from flask import Blueprint, abort, current_app, request

from ..web.htmx import is_fragment_request, render_page
from ..web.pagecache import reader_page
from .lists import StoryList, cursor_arg
from .marks import reader_state
from .queries import has_stories_after, stories_after, stories_through

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


def render_list(story_list: StoryList):
    """Render one list of stories, as a full page or as the fragment that continues it.

    `?after=<id>` gives the stories that follow that one; `?through=<id>` re-renders the list from
    the top down to that story, which is where the Back button returns to.
    """
    if "after" in request.args and "through" in request.args:
        abort(400, description="Use either “after” or “through”, not both.")
    base = story_list.stories
    after = cursor_arg("after", "page from")
    through = cursor_arg("through", "page from")
    truncated = False
    if through is not None:
        stories, truncated = stories_through(base, through, current_app.config["FEED_THROUGH_CAP"])
        has_more = has_stories_after(base, through)
    else:
        stories, has_more = stories_after(base, after, current_app.config["FEED_PAGE_SIZE"])

    from_the_top = after is None and not truncated
    response = render_page(
        "news/list.html",
        "news/_story_list.html",
        story_list=story_list,
        stories=stories,
        next_url=story_list.url(after=stories[-1].id) if stories and has_more else None,
        paged=after is not None,
        truncated=truncated,
        # Only a list shown from its top can have new stories announced above it.
        live_url=story_list.live_url("live.notice", stories[0].id if stories else None) if from_the_top else None,
        **reader_state(stories),
    )
    if is_fragment_request() and stories:
        # Keep the address bar on a URL that re-renders everything shown so far, without
        # adding a history entry per batch: Back from a story returns to this list.
        response.headers["HX-Replace-Url"] = story_list.url(through=stories[-1].id)
    return response
