"""Bookmarks out: the account's JSON export (its bookmarks, and what features built on them add),
a browser bookmarks file, and a private Atom feed.

The exports belong to the signed-in reader. The feed has no session (feed readers have none):
the secret token in its address is the credential, and a reader can replace it from the
account page, which makes the old address answer 404.
"""

import re
from datetime import UTC, datetime

from flask import Blueprint, abort, current_app, make_response, render_template
from flask_login import current_user, login_required

from ..accounts.models import User, user_by_feed_token
from ..extensions import db
from ..news.syndication import add_article_entry, article_url, new_atom_feed
from ..web.filters import iso
from ..web.urls import absolute_url
from .models import Bookmark, saved_stories

bp = Blueprint("bookmark_export", __name__)

FEED_ENTRIES = 100
# Tokens are secrets.token_urlsafe() strings; anything else (other characters, or longer than
# the column holds) cannot name a reader, so it is turned away before the database is asked.
FEED_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")
PRIVATE = "private, no-store"
_MORE = "portal.json_export_parts"


def supply_export_part(app, name: str, loader) -> None:
    """A feature built on bookmarks adds what it keeps of a reader to the account's JSON export:
    `loader(user)` gives the JSON-ready value of the key `name`."""
    app.extensions.setdefault(_MORE, {})[name] = loader


def all_saved(user: User) -> list[Bookmark]:
    """Every bookmark of a published story, newest saved first, in a fixed number of queries."""
    return list(db.session.scalars(saved_stories(user)))


def iso_or_none(value: datetime | None) -> str | None:
    return iso(value) if value is not None else None


def one_line(text: str | None) -> str:
    """Text for places that are read line by line: whitespace runs become single spaces."""
    return " ".join((text or "").split())


def attachment(response, filename: str):
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = PRIVATE
    return response


# ---- downloads ---------------------------------------------------------------

@bp.get("/bookmarks.json")
@login_required
def json_export():
    bookmarks = [
        {
            "title": b.article.title,
            "url": article_url(b.article),
            "summary": b.article.summary,
            "section": b.article.section.name,
            "authors": [author.name for author in b.article.authors],
            "published_at": iso_or_none(b.article.published_at),
            "saved_at": iso(b.created_at),
        }
        for b in all_saved(current_user)
    ]
    more = {name: loader(current_user) for name, loader in current_app.extensions.get(_MORE, {}).items()}
    response = current_app.json.response(
        {"bookmarks": bookmarks, **more, "exported_at": iso(datetime.now(UTC))}
    )
    return attachment(response, "bookmarks.json")


@bp.get("/bookmarks.html")
@login_required
def html_export():
    """The Netscape bookmark file that every browser's "Import bookmarks" reads."""
    now = datetime.now(UTC)
    links = [
        {
            "title": one_line(b.article.title),
            "url": article_url(b.article),
            "add_date": int(b.created_at.timestamp()),
            "description": one_line(b.article.summary),
        }
        for b in all_saved(current_user)
    ]
    response = make_response(render_template(
        "bookmarks/netscape.html",
        folder=one_line(current_app.config["SITE_NAME"]),
        folder_date=int(now.timestamp()),
        links=links,
    ))
    response.headers["Content-Type"] = "text/html; charset=utf-8"
    return attachment(response, "bookmarks.html")


# ---- the private feed --------------------------------------------------------

@bp.get("/bookmarks/feed/<token>.atom")
def private_feed(token):
    if not FEED_TOKEN.fullmatch(token):
        abort(404)
    user = user_by_feed_token(token) or abort(404)
    bookmarks = list(db.session.scalars(saved_stories(user).limit(FEED_ENTRIES)))
    response = make_response(bookmarks_atom(user, token, bookmarks))
    response.headers["Content-Type"] = "application/atom+xml; charset=utf-8"
    response.headers["Cache-Control"] = PRIVATE
    # The address is a secret: keep it and its contents out of search engines.
    response.headers["X-Robots-Tag"] = "noindex"
    return response


def bookmarks_atom(user: User, token: str, bookmarks: list[Bookmark]) -> bytes:
    site = current_app.config["SITE_NAME"]
    feed = new_atom_feed(
        f"{user.greeting_name}’s bookmarks · {site}",
        absolute_url("bookmark_export.private_feed", token=token),
        absolute_url("bookmarks.index"),
        bookmarks[0].created_at if bookmarks else datetime.now(UTC),
    )
    for bookmark in bookmarks:
        add_article_entry(feed, bookmark.article, updated=bookmark.created_at)
    return feed.atom_str(pretty=True)
