"""The headline feed: front page, section and author lists, paged by a keyset cursor."""

from flask import Blueprint, abort, current_app, request, url_for
from flask_login import current_user

from ..web.htmx import is_fragment_request, render_page
from ..web.ids import parse_id
from .marks import saved_ids
from .queries import (
    author_by_slug,
    feed_cursor,
    has_stories_after,
    published_stories,
    section_by_slug,
    stories_after,
    stories_through,
)

bp = Blueprint("feed", __name__)


@bp.get("/")
def index():
    return story_list(published_stories(), "feed.index", {}, heading=None)


@bp.get("/sections/<slug>")
def section(slug):
    found = section_by_slug(slug) or abort(404)
    return story_list(published_stories(section=found), "feed.section", {"slug": slug},
                      heading=found.name, section=found)


@bp.get("/authors/<slug>")
def author(slug):
    found = author_by_slug(slug) or abort(404)
    return story_list(published_stories(author=found), "feed.author", {"slug": slug},
                      heading=found.name, author=found)


def _cursor_arg(name: str):
    """A story id from the query string, as a feed position; 400 when it names no published story."""
    raw = request.args.get(name)
    if raw is None:
        return None
    article_id = parse_id(raw)
    if article_id is None:
        abort(400, description=f"The “{name}” value must be a story number.")
    cursor = feed_cursor(article_id)
    if cursor is None:
        abort(400, description=f"There is no published story {article_id} to page from.")
    return cursor


def story_list(base, endpoint: str, values: dict, heading, **context):
    """Render one list of stories, as a full page or as the fragment that continues it.

    `?after=<id>` gives the stories that follow that one; `?through=<id>` re-renders the list from
    the top down to that story, which is where the Back button returns to.
    """
    if "after" in request.args and "through" in request.args:
        abort(400, description="Use either “after” or “through”, not both.")
    page_size = current_app.config["FEED_PAGE_SIZE"]
    after = _cursor_arg("after")
    through = _cursor_arg("through")
    truncated = False
    if through is not None:
        stories, truncated = stories_through(base, through, current_app.config["FEED_THROUGH_CAP"])
        has_more = has_stories_after(base, through)
    else:
        stories, has_more = stories_after(base, after, page_size)

    next_url = url_for(endpoint, after=stories[-1].id, **values) if stories and has_more else None
    response = render_page(
        "news/list.html",
        "news/_story_list.html",
        stories=stories,
        has_more=has_more,
        next_url=next_url,
        list_url=url_for(endpoint, **values),
        heading=heading,
        paged=after is not None,
        truncated=truncated,
        saved_ids=saved_ids(current_user, stories),
        # A reader who saves a story without JavaScript comes back to the list down to that story.
        row_return_path=lambda article: url_for(endpoint, through=article.id, **values),
        **context,
    )
    if is_fragment_request() and stories:
        # Keep the address bar on a URL that re-renders everything shown so far, without
        # adding a history entry per batch: Back from a story returns to this list.
        response.headers["HX-Replace-Url"] = url_for(endpoint, through=stories[-1].id, **values)
    return response
