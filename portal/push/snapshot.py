"""What every open stream is told, computed in memory: for each live list (the front page and each
section) the ids of its newest stories, read together at one content version. A stream names its
list and the top story of its page; its notice counts the ids above that one, with no query."""

from dataclasses import dataclass, field
from datetime import datetime

from flask import Flask
from sqlalchemy import select

from ..extensions import db
from ..news.lists import StoryList
from ..news.live import MOST_INSERTED, notice_html
from ..news.menu import KeptSection
from ..news.models import Article, Section
from ..news.queries import published_stories
from ..news.version import read_version

FRONT_PAGE = ""  # the front page's key; a section's is its slug
# Notices rendered for one snapshot, by (list, top story, count): a few hundred distinct pages at
# most are open at once, whatever the number of readers.
RENDERED_NOTICES = 2048


@dataclass
class Snapshot:
    version: int
    newest_published_at: datetime | None  # the front page's top story's, for the notifier's lag
    newest: dict[str, tuple[int, ...]]  # list key -> newest ids, newest first, MOST_INSERTED + 1 at most
    sections: dict[str, KeptSection]
    _notices: dict[tuple, str] = field(default_factory=dict, repr=False)

    def knows(self, list_key: str) -> bool:
        return list_key in self.newest

    def count(self, list_key: str, top_id: int | None) -> int:
        """Stories of the list newer than the page's top story (all of them for an empty page).
        A top story that is not among the newest MOST_INSERTED + 1 has more than that above it,
        unless the list is shorter (then it has left the list: nothing to announce)."""
        ids = self.newest[list_key]
        if top_id is None:
            return len(ids)
        if top_id in ids:
            return ids.index(top_id)
        return len(ids) if len(ids) > MOST_INSERTED else 0

    def notice(self, app: Flask, list_key: str, top_id: int | None) -> str:
        """The notice fragment for a page of this list, as /live/new gives it ("" when nothing
        is new); rendered once per snapshot for all the pages that share it."""
        count = self.count(list_key, top_id)
        if count == 0:
            return ""
        key = (list_key, top_id, count)
        html = self._notices.get(key)
        if html is None:
            story_list = StoryList(section=self.sections[list_key]) if list_key else StoryList.front_page()
            # URLs only: no session, no user, no database; relative links need no host.
            with app.test_request_context("/"):
                html = notice_html(story_list, top_id, count)
            if len(self._notices) >= RENDERED_NOTICES:
                self._notices.clear()
            self._notices[key] = html
        return html


def read_snapshot(limit: int = MOST_INSERTED + 1) -> Snapshot:
    """The newest stories of every live list, as of the content version read first (so the
    snapshot is never older than the version it is kept for). Needs an app context."""
    version = read_version()
    sections = {s.slug: KeptSection(s.id, s.name, s.slug, s.description)
                for s in db.session.scalars(select(Section).order_by(Section.id))}
    newest = {FRONT_PAGE: _newest_ids(published_stories(), limit)}
    newest_published_at = db.session.scalar(published_stories().with_only_columns(Article.published_at).limit(1))
    for slug, section in sections.items():
        newest[slug] = _newest_ids(published_stories(section_id=section.id), limit)
    db.session.rollback()  # no transaction left open between looks
    return Snapshot(version, newest_published_at, newest, sections)


def _newest_ids(stories, limit: int) -> tuple[int, ...]:
    return tuple(db.session.scalars(stories.with_only_columns(Article.id).limit(limit)))
