"""New stories while a list is open: the "N new stories" notice and the rows it inserts.

The front page and section pages carry a region (`#new-stories`, aria-live) that
static/js/live.js asks `/live/new` about every LIVE_INTERVAL seconds while the tab is visible.
Both endpoints take the list (`section=<slug>`, none for the front page) and `newest`, the id of
the newest story the reader has; both serve htmx only and redirect anything else to the list.
"""

import hashlib

from flask import Blueprint, abort, make_response, redirect, render_template, request
from sqlalchemy import func, select

from ..extensions import db
from ..web.htmx import is_fragment_request
from .lists import Cursor, StoryList, cursor_arg
from .marks import reader_state
from .models import Article
from .queries import ListedStory, cursor_position, feed_position, listing_through
from .rows import story_rows

bp = Blueprint("live", __name__, url_prefix="/live")

# More new stories than this are not counted or inserted one by one: the notice links to the
# list, reloaded.
MOST_INSERTED = 100


def live_request() -> tuple[StoryList, Cursor | None]:
    """The list a live request is about (`section`; 404 for an unknown one) and the reader's
    newest story (`newest`; 400 when it is not a story number, and when nothing is newer than a
    story never published)."""
    return StoryList.from_live_args(), cursor_arg("newest", "count from")


def count_newer(stories, cursor: Cursor | None, cap: int) -> int:
    """How many of `stories` come before the cursor in feed order, counting at most `cap`:
    one keyset query on the feed index, however many there are (and, when there are none, the
    check that the cursor names a story ever published)."""
    newer = stories if cursor is None else stories.where(feed_position() > cursor_position(cursor.story_id))
    capped = newer.with_only_columns(Article.id).order_by(None).limit(cap).subquery()
    count = db.session.scalar(select(func.count()).select_from(capped))
    if count == 0 and cursor is not None:
        cursor.refuse_if_unknown()
    return count


def newer_stories(story_list: StoryList, cursor: Cursor, cap: int) -> tuple[list[ListedStory], bool]:
    """The list's stories before the cursor, newest first, and whether there are more than `cap`
    of them (then none are returned)."""
    # The list down to the cursor's story, which is left out (when it is still in this list).
    listed, truncated, _ = listing_through(cursor.story_id, cap + 1, **story_list.filters)
    if not listed:
        cursor.refuse_if_unknown()
    listed = [story for story in listed if story.id != cursor.story_id]
    if truncated or len(listed) > cap:
        return [], True
    return listed, False


def _live_response(response, cache_control="no-cache"):
    response.vary.add("HX-Request")
    response.headers["Cache-Control"] = cache_control
    return response


def notice_html(story_list: StoryList, newest_id: int | None, count: int) -> str:
    """The notice of `count` stories newer than `newest_id` (more than MOST_INSERTED: "100+"),
    for the poll's answer and the stream's events alike."""
    too_many = count > MOST_INSERTED
    return render_template(
        "news/_new_stories.html",
        count=min(count, MOST_INSERTED),
        more=too_many,
        list_url=story_list.url(),
        # With no story on the page there is nothing to insert above; with too many, a gap would
        # be left: the link then reloads the list.
        insert_url=None if too_many or newest_id is None else story_list.live_url("live.stories", newest_id),
    )


@bp.get("/new")
def notice():
    """The notice for the #new-stories region. Nothing new: 204 (htmx leaves the region alone),
    or an empty 200 to clear a notice the reader has (they send its ETag). The notice they
    already have: 304."""
    story_list, cursor = live_request()
    if not is_fragment_request():
        return _live_response(redirect(story_list.url(), code=303))
    count = count_newer(story_list.stories, cursor, MOST_INSERTED + 1)
    if count == 0:
        shows_notice = bool(request.if_none_match)
        return _live_response(make_response("", 200 if shows_notice else 204))
    newest_id = cursor.story_id if cursor else None
    etag = hashlib.blake2b(
        f"{story_list.url()}|{newest_id}|{count}".encode(), digest_size=12
    ).hexdigest()
    if request.if_none_match.contains(etag):
        response = make_response("", 304)
    else:
        response = make_response(notice_html(story_list, newest_id, count))
    response.set_etag(etag)
    return _live_response(response)


@bp.get("/stories")
def stories():
    """The rows newer than `newest`, in feed order, to go on top of the list; more than
    MOST_INSERTED send the reader to the list instead."""
    story_list, cursor = live_request()
    if cursor is None:
        abort(400, description="Say which story is the newest one shown (“newest”).")
    if not is_fragment_request():
        return _live_response(redirect(story_list.url(), code=303))
    listed, too_many = newer_stories(story_list, cursor, MOST_INSERTED)
    if too_many:
        response = make_response("", 204)
        response.headers["HX-Redirect"] = story_list.url()
        return _live_response(response)
    rows = story_rows(listed, reader_state(story.id for story in listed), return_to=story_list.through_urls())
    html = render_template("news/_story_rows.html", rows=rows)
    # The rows show the reader's saved stories.
    return _live_response(make_response(html), cache_control="private, no-cache")
