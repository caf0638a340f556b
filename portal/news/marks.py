"""What the signed-in reader has marked among the stories a page shows: saved ones, for now.

The marks are kept by features built on news (bookmarks), which supply a loader when they are
set up; a page asks once for all its rows, so a list costs one query per kind of mark."""

from flask import current_app

_SAVED = "portal.saved_article_ids"


def supply_saved_ids(app, loader) -> None:
    """`loader(user, articles)` returns the ids of those articles the reader has saved."""
    app.extensions[_SAVED] = loader


def saved_ids(user, articles) -> set[int]:
    loader = current_app.extensions.get(_SAVED)
    if loader is None or not articles or not getattr(user, "is_authenticated", False):
        return set()
    return loader(user, articles)
