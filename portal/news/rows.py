"""Story rows for a reader, composed from markup kept rendered in this process.

A row is the same for every reader but for its reader slot (the Save button, and for a signed-in
reader the mark of a story they opened). What is around the slot is rendered once and kept, split
at the slot; the slot is rendered for each reader on each page. An anonymous reader's slot holds nothing of
theirs (a link to sign in that comes back to the row), so anonymous rows are kept whole.

Keys name everything the markup depends on: the content version (portal.web.pagecache: every
change to stories, bylines, sections or reporters moves it on, in whichever process), the
script root the links start with, the heading level and the story; a whole anonymous row, also
the address it returns to. Entries expire after ROW_TTL seconds too, since a row's time line may
change with the clock alone.
"""

import time
from dataclasses import dataclass

from cachetools import TTLCache
from flask import current_app, get_template_attribute, request
from markupsafe import Markup

from ..web.cache import LocalCache
from ..web.pagecache import content_version
from .marks import ReaderState, reader_state

ROW_TEMPLATE = "news/_story_row.html"
# Rows kept in each process: a full restored list (FEED_THROUGH_CAP) several times over.
ROWS_KEPT = 5000
ROW_TTL = 60
_STORE = "portal.story_rows"
# Stands for the reader's slot in a row rendered to be kept; nothing of the story comes after
# the slot, so its last occurrence is the one put there.
_SLOT = Markup("\x00reader-slot\x00")


@dataclass(frozen=True)
class RowAroundSlot:
    """A row's markup before and after its reader slot."""

    before: Markup
    after: Markup


def story_rows(stories, reader: ReaderState, return_to, heading_level: int = 2) -> list[Markup]:
    """The rows of these stories (ListedStory or Article) for this reader, in order;
    `return_to(story_id)` is where each row's Save button comes back to."""
    prefix = _key_prefix(heading_level)
    if reader.signed_in:
        return _rows_for_reader(stories, reader, return_to, prefix, heading_level)
    return _anonymous_rows(stories, return_to, prefix, heading_level)


def _anonymous_rows(stories, return_to, prefix, heading_level) -> list[Markup]:
    store = _store()
    keys = [f"anonymous:{prefix}:{story.id}:{return_to(story.id)}" for story in stories]
    rows = store.get_many(keys)
    if None in rows:
        story_row = get_template_attribute(ROW_TEMPLATE, "story_row")
        for index, story in enumerate(stories):
            if rows[index] is None:
                rows[index] = story_row(story, saved=False, return_to=return_to(story.id), signed_in=False,
                                        heading_level=heading_level)
                store.set(keys[index], rows[index])
    return rows


def _rows_for_reader(stories, reader, return_to, prefix, heading_level) -> list[Markup]:
    reader_slot = get_template_attribute(ROW_TEMPLATE, "reader_slot")
    return [
        row.before
        + reader_slot(story, reader.is_saved(story.id), return_to(story.id), True, read=reader.is_read(story.id))
        + row.after
        for story, row in zip(stories, _rows_around_slot(stories, prefix, heading_level))
    ]


class ReaderRows:
    """A list page's rows rendered for this reader, and then the page's reading state (which
    needs the marks the rows were rendered with)."""

    def __init__(self, list_key: str | None = None):
        self.list_key = list_key
        self.reader = ReaderState(signed_in=False)

    def rows(self, stories, return_to) -> list[Markup]:
        self.reader = reader_state((story.id for story in stories), self.list_key)
        return story_rows(stories, self.reader, return_to)

    def reading(self) -> Markup:
        return reading_state(self.reader)


def reading_state(reader: ReaderState) -> Markup:
    """What static/js/reading.js needs of a signed-in reader on a page: whose it is (the browser
    keeps what it has not sent yet per reader), and where the page's list stood at their last
    visit (its top story, and when, in ms). Nothing for an anonymous reader, whose pages are the
    same for everyone: their browser keeps it all."""
    if not reader.signed_in:
        return Markup("")
    visit = reader.visit
    last = (f' data-visit-top="{visit.top_story_id}" data-visit-at="{int(visit.at.timestamp() * 1000)}"'
            if visit else "")
    return Markup(f'<div id="reader-reading" hidden data-reader="{int(reader.reader_id)}"{last}></div>')


def read_mark() -> Markup:
    """The read mark a signed-in reader's slot carries after the Save button."""
    return get_template_attribute(ROW_TEMPLATE, "read_mark")()


def marked_rows(stories, heading_level: int = 2) -> list[Markup]:
    """The rows of these stories for any signed-in reader, with `slot_marker(story.id)` where the
    reader's slot goes (portal.news.kept_lists fills it)."""
    prefix = _key_prefix(heading_level)
    return [row.before + slot_marker(story.id) + row.after
            for story, row in zip(stories, _rows_around_slot(stories, prefix, heading_level))]


def slot_marker(story_id: int) -> Markup:
    return Markup(f"\x00slot:{story_id}\x00")


def signed_in_slots(stories, return_to) -> list[tuple[Markup, Markup]]:
    """Each story's reader slot for a signed-in reader: as it is unsaved, and as it is saved."""
    reader_slot = get_template_attribute(ROW_TEMPLATE, "reader_slot")
    return [(reader_slot(story, False, return_to(story.id), True), reader_slot(story, True, return_to(story.id), True))
            for story in stories]


def _rows_around_slot(stories, prefix, heading_level) -> list[RowAroundSlot]:
    store = _store()
    keys = [f"around-slot:{prefix}:{story.id}" for story in stories]
    around = store.get_many(keys)
    if None in around:
        story_row_around = get_template_attribute(ROW_TEMPLATE, "story_row_around")
        for index, story in enumerate(stories):
            if around[index] is None:
                before, _, after = story_row_around(story, _SLOT, heading_level).rpartition(_SLOT)
                around[index] = RowAroundSlot(before, after)
                store.set(keys[index], around[index])
    return around


def _key_prefix(heading_level: int) -> str:
    return f"{content_version()}:{request.script_root}:h{heading_level}"


def _store() -> LocalCache:
    return current_app.extensions[_STORE]


def init_app(app):
    # Bounded and expiring (least recently used first when full).
    app.extensions[_STORE] = LocalCache(items=TTLCache(maxsize=ROWS_KEPT, ttl=ROW_TTL, timer=time.monotonic))
