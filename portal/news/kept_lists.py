"""A signed-in reader's list page, joined from a page kept rendered for every signed-in reader.

A list page (front page, section, reporter; whole or the fragment that continues it) is the same
for every signed-in reader but for the CSRF token (the masthead's Sign out form, the body's htmx
header, each Save form), each row's slot (its Save button, saved or not, and the read mark of a
story the reader opened) and the page's reading state (whose page it is, and the list's top
story at their last visit: news.rows.reading_state). So it is rendered once for a content
version and URL, with a marker where each row's slot goes, one where the reading state goes and
the token taken out, and kept with both forms of each button; a reader's page is then joined
from those pieces and their marks. No template renders and no list is queried per request: the
page costs the reader's sign-in and their marks (saved, read, last visit: news.marks, one
query). Anything else that differs between signed-in readers must be a slot too. A reader with a flashed message gets a page rendered for
them alone.

Keys name what the page depends on, as the stored anonymous pages' do (portal.web.pagestore):
the content version, the URL and whether it is a fragment; and the reader's role, which the
masthead shows. Entries expire after ROW_TTL seconds as the rows do, since a row's time line may
change with the clock alone. With PAGE_CACHE off, every page is rendered.
"""

import re
import time
from dataclasses import dataclass

from cachetools import TTLCache
from flask import Response, current_app, request, session
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from ..web.cache import LocalCache
from ..web.pagecache import content_version
from ..web.pagestore import page_key
from .marks import ReaderState, reader_state
from .rows import ROW_TTL, marked_rows, read_mark, reading_state, signed_in_slots

_STORE = "portal.kept_lists"
KEPT_BYTES = 8 * 2**20
_CSRF = "\x00csrf\x00"
_READING = "\x00reading\x00"
_SLOT = re.compile("\x00slot:([0-9]+)\x00")
_NOT_KEPT = frozenset({"content-length", "set-cookie"})


@dataclass(frozen=True)
class KeptList:
    """A page cut at its rows' slots: pieces[0], slot of story_ids[0], pieces[1], ..."""

    pieces: tuple[str, ...]
    story_ids: tuple[int, ...]
    slots: tuple[tuple[str, str], ...]  # (unsaved, saved), as story_ids
    read_mark: str
    headers: tuple[tuple[str, str], ...]

    def body_for(self, reader: ReaderState, csrf_token: str) -> str:
        saved_ids, read_ids = reader.saved_ids, reader.read_ids
        # The reading state comes before the rows (templates/news/list.html), in the first piece.
        parts = [self.pieces[0].replace(_READING, reading_state(reader))]
        for story_id, (unsaved, saved), piece in zip(self.story_ids, self.slots, self.pieces[1:]):
            parts.append(saved if story_id in saved_ids else unsaved)
            if story_id in read_ids:
                parts.append(self.read_mark)
            parts.append(piece)
        return "".join(parts).replace(_CSRF, csrf_token)

    def size(self) -> int:
        return sum(map(len, self.pieces)) + sum(len(unsaved) + len(saved) for unsaved, saved in self.slots)


class ListRender:
    """What a list view renders with for a kept page: rows with markers, each row's two slots,
    and a marker for the reading state."""

    def __init__(self):
        self.story_ids: list[int] = []
        self.slots: list[tuple[str, str]] = []

    def rows(self, stories, return_to):
        self.story_ids = [story.id for story in stories]
        self.slots = signed_in_slots(stories, return_to)
        return marked_rows(stories)

    def reading(self):
        return _READING

    def keep(self, response: Response) -> KeptList:
        token = generate_csrf()
        body = response.get_data(as_text=True).replace(token, _CSRF)
        cut = _SLOT.split(body)  # text, story id, text, story id, ..., text
        assert [int(story_id) for story_id in cut[1::2]] == self.story_ids, "a slot marker went astray"
        assert _READING not in "".join(cut[2::2]), "the reading state is after a row"
        return KeptList(
            pieces=tuple(cut[0::2]), story_ids=tuple(self.story_ids),
            slots=tuple((unsaved.replace(token, _CSRF), saved.replace(token, _CSRF)) for unsaved, saved in self.slots),
            read_mark=str(read_mark()),
            headers=tuple((name, value) for name, value in response.headers.items()
                          if name.lower() not in _NOT_KEPT))


def may_keep() -> bool:
    """Whether this request's list page comes from a kept page: a signed-in reader, nothing
    flashed for them, the page cache on."""
    return (current_app.config["PAGE_CACHE"] and current_user.is_authenticated
            and "_flashes" not in session and request.method in ("GET", "HEAD"))


def answer(list_key: str, render) -> Response:
    """This reader's page of the list `list_key` from the kept one, keeping it first if need be;
    `render(marks)` renders the page with `marks.rows(stories, return_to)` giving its rows and
    `marks.reading()` its reading state."""
    # The masthead differs by role (editors have a link to the desk).
    key = f"reader-list:{current_user.role.value}:" + page_key(current_app, request.environ, content_version())
    store = current_app.extensions[_STORE]
    kept = store.get(key)
    if kept is None:
        list_render = ListRender()
        kept = list_render.keep(render(list_render))
        store.set(key, kept)
    reader = reader_state(kept.story_ids, list_key)
    return Response(kept.body_for(reader, generate_csrf()), headers=list(kept.headers))


def init_app(app):
    app.extensions[_STORE] = LocalCache(items=TTLCache(maxsize=KEPT_BYTES, ttl=ROW_TTL, timer=time.monotonic,
                                                       getsizeof=KeptList.size))
