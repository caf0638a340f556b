"""Which list of stories a request is about, and where it is in it.

A StoryList is one of the site's lists of published stories: the front page, a section or a
reporter. It knows its base query (feed order), its page's endpoint and URL values, its Atom
feed, its heading, and whether it is live (kept open to follow the news, so new stories are
announced on it). The feed, the live notice and the Atom feeds all take their list from here, and
a cursor in a query string is read here only.
"""

from dataclasses import dataclass
from datetime import datetime

from flask import abort, request, url_for

from ..web.ids import parse_id
from .models import Author, Section
from .queries import author_by_slug, feed_cursor, published_stories, section_by_slug


@dataclass(frozen=True)
class StoryList:
    section: Section | None = None
    author: Author | None = None

    @classmethod
    def front_page(cls) -> "StoryList":
        return cls()

    @classmethod
    def of_section(cls, slug: str) -> "StoryList":
        """404 for a section that does not exist."""
        return cls(section=section_by_slug(slug) or abort(404))

    @classmethod
    def of_author(cls, slug: str) -> "StoryList":
        """404 for a reporter who does not exist."""
        return cls(author=author_by_slug(slug) or abort(404))

    @property
    def stories(self):
        """The list's published stories in feed order (a select to page with a cursor)."""
        return published_stories(section=self.section, author=self.author)

    @property
    def endpoint(self) -> str:
        return "feed.author" if self.author else "feed.section" if self.section else "feed.index"

    @property
    def feed_endpoint(self) -> str:
        """Its Atom feed's endpoint (with the same URL values)."""
        if self.author:
            return "syndication.author_feed"
        return "syndication.section_feed" if self.section else "syndication.site_feed"

    @property
    def values(self) -> dict:
        """The URL values of its page and its feed."""
        named = self.author or self.section
        return {"slug": named.slug} if named else {}

    @property
    def heading(self) -> str | None:
        """The list's name, as its page's heading; None for the front page."""
        named = self.author or self.section
        return named.name if named else None

    @property
    def is_live(self) -> bool:
        """Lists kept open to follow the news announce new stories; a reporter's page doesn't."""
        return self.author is None

    @property
    def live_values(self) -> dict:
        """How the live endpoints name this list (`section=<slug>`, nothing for the front page)."""
        return {"section": self.section.slug} if self.section else {}

    def url(self, **args) -> str:
        return url_for(self.endpoint, **self.values, **args)

    def live_url(self, endpoint: str, newest: int | None) -> str | None:
        """A live endpoint's URL for this list, from the newest story the reader has; None for a
        list that is not live."""
        if not self.is_live:
            return None
        return url_for(endpoint, **self.live_values, newest=newest)

    @classmethod
    def from_live_args(cls) -> "StoryList":
        """The list a live request names with `section` (404 for an unknown one)."""
        slug = request.args.get("section")
        return cls.front_page() if slug is None else cls.of_section(slug)


def cursor_arg(name: str, purpose: str) -> tuple[datetime, int] | None:
    """The story id in query value `name`, as a feed position; None when absent. A 400 when it is
    not a story number, or names no story ever published ("There is no published story 12 to
    <purpose>")."""
    raw = request.args.get(name)
    if raw is None:
        return None
    article_id = parse_id(raw)
    if article_id is None:
        abort(400, description=f"The “{name}” value must be a story number.")
    cursor = feed_cursor(article_id)
    if cursor is None:
        abort(400, description=f"There is no published story {article_id} to {purpose}.")
    return cursor
