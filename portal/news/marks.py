"""What the reader has marked among the stories a page shows, and where they were in its list.

The marks are kept by features built on news, which supply them when they are set up:
bookmarks the saved stories, reading the stories opened and each list's top story at the last
visit. Each supplier gives a select (built once) of `(story_id, at)` rows for one kind of mark,
on the bound parameters `user_id`, `story_ids` (expanding) and `list_key`; a page asks for all
of them at once, in one statement (UNION ALL of every kind). The marks fill the reader's slot
of each row (portal.news.rows), the only part of a row that is not the same for every reader.
"""

from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from flask_login import current_user
from sqlalchemy import cast, literal_column, null, union_all

from ..extensions import db
from ..web.timestamps import UTCDateTime

_SUPPLIED = "portal.reader_marks"
_QUERY = "portal.reader_marks_query"
KINDS = ("saved", "read", "visit")


def supply_marks(app, kind: str, select) -> None:
    """`select`: a select of two columns, the story's id and a time, for this kind of mark
    (one of KINDS), on the parameters `user_id`, `story_ids` and `list_key`."""
    assert kind in KINDS, kind
    app.extensions.setdefault(_SUPPLIED, {})[kind] = select
    app.extensions.pop(_QUERY, None)


@dataclass(frozen=True)
class ListVisit:
    """The story at the top of a list when the reader last loaded it, and when (UTC)."""

    top_story_id: int
    at: datetime


@dataclass(frozen=True)
class ReaderState:
    """The reader's marks on a page's stories. Anonymous readers have none (their browser keeps
    what they read, static/js/reading.js)."""

    signed_in: bool
    saved_ids: frozenset[int] = frozenset()
    read_ids: frozenset[int] = frozenset()
    visit: ListVisit | None = None
    reader_id: int | None = None

    def is_saved(self, story_id: int) -> bool:
        return story_id in self.saved_ids

    def is_read(self, story_id: int) -> bool:
        return story_id in self.read_ids


def _marks_query(app):
    """Every supplied kind of mark in one statement: (kind, story_id, at) rows."""
    query = app.extensions.get(_QUERY)
    if query is None:
        # Only the last visit's time is used: the others' is a typed NULL (nothing to convert).
        parts = [(select if kind == "visit" else select.with_only_columns(
                    select.selected_columns[0], cast(null(), UTCDateTime()).label("at"), maintain_column_froms=True))
                 .add_columns(literal_column(f"'{kind}'").label("kind"))
                 for kind, select in app.extensions.get(_SUPPLIED, {}).items()]
        query = app.extensions[_QUERY] = (union_all(*parts) if len(parts) > 1 else parts[0]) if parts else None
    return query


def reader_state(story_ids, list_key: str | None = None) -> ReaderState:
    """The reader's marks on these stories, and their last visit to the list `list_key`, in one
    query (none when signed out)."""
    if not current_user.is_authenticated:
        return ReaderState(signed_in=False)
    story_ids = list(story_ids)
    query = _marks_query(current_app)
    found = {kind: {} for kind in KINDS}
    if query is not None and (story_ids or list_key):
        rows = db.session.execute(query, {"user_id": current_user.id, "story_ids": story_ids,
                                          "list_key": list_key or ""})
        for story_id, at, kind in rows:
            found[kind][story_id] = at
    visit = next((ListVisit(story_id, at) for story_id, at in found["visit"].items()), None)
    return ReaderState(signed_in=True, saved_ids=frozenset(found["saved"]), read_ids=frozenset(found["read"]),
                       visit=visit, reader_id=current_user.id)
