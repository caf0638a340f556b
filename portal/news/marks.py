"""What the reader has marked among the stories a page shows: saved ones, for now.

The marks are kept by features built on news (bookmarks), which supply a loader when they are
set up; a page asks once for all its rows, so a list costs one query per kind of mark. The marks
fill the reader's slot of each row (portal.news.rows), the only part of a row that is not the same
for every reader."""

from dataclasses import dataclass

from flask import current_app
from flask_login import current_user

_SAVED = "portal.saved_article_ids"


def supply_saved_ids(app, loader) -> None:
    """`loader(user, story_ids)` returns those of the ids the reader has saved."""
    app.extensions[_SAVED] = loader


@dataclass(frozen=True)
class ReaderState:
    """The reader's marks on a page's stories. Anonymous readers have none."""

    signed_in: bool
    saved_ids: frozenset[int] = frozenset()

    def is_saved(self, story_id: int) -> bool:
        return story_id in self.saved_ids


def reader_state(story_ids) -> ReaderState:
    """The reader's marks on these stories, in one query per kind of mark (none when signed out)."""
    if not current_user.is_authenticated:
        return ReaderState(signed_in=False)
    loader = current_app.extensions.get(_SAVED)
    story_ids = list(story_ids)
    saved = loader(current_user, story_ids) if loader and story_ids else ()
    return ReaderState(signed_in=True, saved_ids=frozenset(saved))
