"""New stories while a list is open: the "N new stories" notice and the rows it inserts.

The front page and section pages carry a region (`#new-stories`, aria-live) that
static/js/live.js asks `/live/new` about every LIVE_INTERVAL seconds while the tab is visible.
Both endpoints take the list (`section=<slug>`, none for the front page) and `newest`, the id of
the newest story the reader has; both serve htmx only and redirect anything else to the list.
"""

import hashlib

from flask import Blueprint, abort, make_response, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select

from ..extensions import db
from ..web.htmx import is_fragment_request
from ..web.ids import parse_id
from .marks import saved_ids as saved_article_ids
from .models import Article
from .queries import feed_cursor, feed_position, published_stories, section_by_slug, stories_through

bp = Blueprint("live", __name__, url_prefix="/live")

# The lists that offer new stories: the ones kept open to follow the news (not an author's
# page, nor anything else that renders news/list.html).
LIVE_LISTS = ("feed.index", "feed.section")
# More new stories than this are not counted or inserted one by one: the notice links to the
# list, reloaded.
MOST_INSERTED = 100


class LiveList:
    """The list a live request is about, read from `section` and `newest`: 404 for an unknown
    section, 400 for a `newest` that names no story ever published."""

    def __init__(self):
        slug = request.args.get("section")
        self.section = None
        if slug is not None:
            self.section = section_by_slug(slug) or abort(404)
        raw = request.args.get("newest")
        self.cursor = None
        if raw is not None:
            newest = parse_id(raw)
            if newest is None:
                abort(400, description="The “newest” value must be a story number.")
            self.cursor = feed_cursor(newest)
            if self.cursor is None:
                abort(400, description=f"There is no published story {newest} to count from.")
        self.stories = published_stories(section=self.section)

    @property
    def values(self) -> dict:
        return {"slug": self.section.slug} if self.section else {}

    @property
    def endpoint(self) -> str:
        return "feed.section" if self.section else "feed.index"

    @property
    def url(self) -> str:
        return url_for(self.endpoint, **self.values)

    def live_url(self, endpoint: str, newest: int | None) -> str:
        return url_for(endpoint, section=self.section.slug if self.section else None, newest=newest)

    @property
    def newest_id(self) -> int | None:
        return self.cursor[1] if self.cursor else None


def count_newer(stories, cursor, cap: int) -> int:
    """How many of `stories` come before the cursor in feed order, counting at most `cap`:
    one keyset query on the feed index, however many there are."""
    newer = stories if cursor is None else stories.where(feed_position() > cursor)
    capped = newer.with_only_columns(Article.id).order_by(None).limit(cap).subquery()
    return db.session.scalar(select(func.count()).select_from(capped))


def newer_stories(stories, cursor, cap: int) -> tuple[list[Article], bool]:
    """The stories before the cursor, newest first, and whether there are more than `cap` of them
    (then none are returned)."""
    # The list down to the cursor's story, which is left out (when it is still in this list).
    rows, truncated = stories_through(stories, cursor, cap + 1)
    rows = [article for article in rows if article.id != cursor[1]]
    if truncated or len(rows) > cap:
        return [], True
    return rows, False


def _live_response(response, cache_control="no-cache"):
    response.vary.add("HX-Request")
    response.headers["Cache-Control"] = cache_control
    return response


@bp.get("/new")
def notice():
    """The notice for the #new-stories region. Nothing new: 204 (htmx leaves the region alone),
    or an empty 200 to clear a notice the reader has (they send its ETag). The notice they
    already have: 304."""
    live = LiveList()
    if not is_fragment_request():
        return _live_response(redirect(live.url, code=303))
    count = count_newer(live.stories, live.cursor, MOST_INSERTED + 1)
    if count == 0:
        shows_notice = bool(request.if_none_match)
        return _live_response(make_response("", 200 if shows_notice else 204))
    too_many = count > MOST_INSERTED
    etag = hashlib.blake2b(
        f"{live.url}|{live.newest_id}|{count}".encode(), digest_size=12
    ).hexdigest()
    if request.if_none_match.contains(etag):
        response = make_response("", 304)
    else:
        response = make_response(render_template(
            "news/_new_stories.html",
            count=min(count, MOST_INSERTED),
            more=too_many,
            list_url=live.url,
            # With no story on the page there is nothing to insert above; with too many, a gap would
            # be left: the link then reloads the list.
            insert_url=None if too_many or live.cursor is None else live.live_url("live.stories", live.newest_id),
        ))
    response.set_etag(etag)
    return _live_response(response)


@bp.get("/stories")
def stories():
    """The rows newer than `newest`, in feed order, to go on top of the list; more than
    MOST_INSERTED send the reader to the list instead."""
    live = LiveList()
    if live.cursor is None:
        abort(400, description="Say which story is the newest one shown (“newest”).")
    if not is_fragment_request():
        return _live_response(redirect(live.url, code=303))
    rows, too_many = newer_stories(live.stories, live.cursor, MOST_INSERTED)
    if too_many:
        response = make_response("", 204)
        response.headers["HX-Redirect"] = live.url
        return _live_response(response)
    saved_ids = saved_article_ids(current_user, rows)

    def row_return_path(article):
        # As on the list itself: a reader who saves without JavaScript returns down to that story.
        return url_for(live.endpoint, through=article.id, **live.values)

    html = "".join(
        render_template("news/_story_row.html", article=article, saved_ids=saved_ids,
                        row_return_path=row_return_path)
        for article in rows
    )
    # The rows show the reader's saved stories.
    return _live_response(make_response(html), cache_control="private, no-cache")


@bp.app_template_global()
def live_poll_url(stories, section=None) -> str | None:
    """The #new-stories region's URL for the list being rendered, None on lists without one.
    `stories` are the rows the page shows, newest first."""
    if request.endpoint not in LIVE_LISTS:
        return None
    return url_for("live.notice", section=section.slug if section else None,
                   newest=stories[0].id if stories else None)
