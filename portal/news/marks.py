"""What the reader has marked among the stories a page shows: saved ones, for now.

The marks are kept by features built on news (bookmarks), which supply a loader when they are
set up; a page asks once for all its rows, so a list costs one query per kind of mark."""

from flask import current_app
from flask_login import current_user

_SAVED = "portal.saved_article_ids"


def supply_saved_ids(app, loader) -> None:
    """`loader(user, articles)` returns the ids of those articles the reader has saved."""
    app.extensions[_SAVED] = loader


def reader_state(articles) -> dict:
    """The template values of the rows' reader slot (the Save button) for these stories:
    `saved_ids` and `signed_in`."""
    signed_in = current_user.is_authenticated
    loader = current_app.extensions.get(_SAVED)
    saved = loader(current_user, articles) if loader and articles and signed_in else set()
    return {"saved_ids": saved, "signed_in": signed_in}
