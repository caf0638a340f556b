"""Bookmarks: save a story from any list or article page, and the reader's saved stories."""

from flask import (
    Blueprint,
    abort,
    current_app,
    get_template_attribute,
    make_response,
    redirect,
    request,
    url_for,
)
from flask_login import current_user, login_required

from ..extensions import db
from ..news.queries import get_published_article, get_withdrawn_article
from ..web.htmx import client_redirect, is_fragment_request, render_page
from ..web.ids import id_arg
from ..web.urls import safe_next
from .models import bookmarks_after
from .operations import remove_bookmark, save_bookmark

bp = Blueprint("bookmarks", __name__)

ACTIONS = ("save", "remove")


@bp.post("/bookmarks/<int:article_id>")
def toggle(article_id):
    """Set a story's saved state to the one asked for: repeating the request changes nothing."""
    action = request.form.get("action")
    if action not in ACTIONS:
        abort(400, description="Say whether to save or remove the story.")
    # A story withdrawn since it was saved can still be dropped from the bookmarks, not saved anew.
    article = (get_published_article(article_id) if action == "save" else
               get_published_article(article_id) or get_withdrawn_article(article_id)) or abort(404)
    back = safe_next(request.form.get("next"), default=url_for("feed.index"))

    if not current_user.is_authenticated:
        # A page opened while signed in, whose session has ended since: sign in, then save.
        login = url_for("auth.login", next=back, save=article.id if action == "save" else None)
        if is_fragment_request():
            return client_redirect(login)
        return redirect(login, code=303)

    if action == "save":
        save_bookmark(current_user, article.id)
    else:
        remove_bookmark(current_user, article.id)
    db.session.commit()
    if not is_fragment_request():
        return redirect(back, code=303)
    saved = action == "save"
    if request.form.get("view") == "bookmarks":
        html = get_template_attribute("bookmarks/_row.html", "bookmark_row")(article, saved)
    else:
        html = get_template_attribute("bookmarks/_button.html", "bookmark_button")(
            article, saved, return_to=back, signed_in=True)
    response = make_response(html)
    response.vary.add("HX-Request")
    return response


@bp.get("/bookmarks")
@login_required
def index():
    after = id_arg("after", "bookmark")
    bookmarks, has_more = bookmarks_after(current_user, after, current_app.config["FEED_PAGE_SIZE"])
    next_url = url_for("bookmarks.index", after=bookmarks[-1].id) if has_more else None
    response = render_page(
        "bookmarks/index.html",
        "bookmarks/_list.html",
        bookmarks=bookmarks,
        next_url=next_url,
        paged=after is not None,
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response
