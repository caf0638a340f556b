"""Which list of stories a request is about, and where it is in it.

A StoryList is one of the site's lists of published stories: the front page, a section, a
reporter or a day of the archive. It knows its base query (feed order), its page's endpoint and
URL values, its Atom feed, its heading, and whether it is live (kept open to follow the news, so
new stories are announced on it). The feed, the live notice and the Atom feeds all take their list from here, and
a cursor in a query string is read here only.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from flask import abort, current_app, request, url_for

from ..web.ids import parse_id
from .menu import KeptSection, kept_section
from .models import Author
from .queries import author_by_slug, published_stories, was_ever_published

# The archive's first day: earlier dates are not this site's (and near year 1 the newsroom's
# midnight may not be a time Python can hold in UTC).
FIRST_ARCHIVE_DAY = date(1970, 1, 1)


def today() -> date:
    """Today in the newsroom's time zone."""
    return datetime.now(current_app.config["TZINFO"]).date()


def day_start(day: date) -> datetime:
    """The newsroom's midnight at the start of `day`, in UTC."""
    return datetime.combine(day, time(), current_app.config["TZINFO"]).astimezone(UTC)


@dataclass(frozen=True)
class StoryList:
    section: KeptSection | None = None
    author: Author | None = None
    day: date | None = None  # the archive's day, in the newsroom's time zone

    @classmethod
    def front_page(cls) -> "StoryList":
        return cls()

    @classmethod
    def of_section(cls, slug: str) -> "StoryList":
        """404 for a section that does not exist."""
        return cls(section=kept_section(slug) or abort(404))

    @classmethod
    def of_author(cls, slug: str) -> "StoryList":
        """404 for a reporter who does not exist."""
        return cls(author=author_by_slug(slug) or abort(404))

    @classmethod
    def of_day(cls, year: int, month: int, day: int) -> "StoryList":
        """404 for a date that does not exist, before FIRST_ARCHIVE_DAY or after today."""
        try:
            named = date(year, month, day)
        except ValueError:
            abort(404)
        if not FIRST_ARCHIVE_DAY <= named <= today():
            abort(404)
        return cls(day=named)

    @property
    def filters(self) -> dict:
        """Which stories are the list's, as the queries take them: `section_id`, `author_id`,
        and for a day `published_from` and `published_before` (its newsroom midnights)."""
        filters = {"section_id": self.section and self.section.id, "author_id": self.author and self.author.id}
        if self.day:
            filters.update(published_from=day_start(self.day), published_before=day_start(self.day + timedelta(days=1)))
        return filters

    @property
    def stories(self):
        """The list's published stories in feed order (a select to page with a cursor)."""
        return published_stories(**self.filters)

    @property
    def endpoint(self) -> str:
        if self.day:
            return "feed.day"
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
        if self.day:
            return day_values(self.day)
        named = self.author or self.section
        return {"slug": named.slug} if named else {}

    @property
    def heading(self) -> str | None:
        """The list's name, as its page's heading; None for the front page."""
        if self.day:
            return f"{self.day:%A} {self.day.day} {self.day:%B %Y}"
        named = self.author or self.section
        return named.name if named else None

    @property
    def description(self) -> str | None:
        """What the list is, in a sentence or two: its page's meta description and its Atom
        feed's subtitle. None for the front page, which the site's own text describes."""
        if self.day:
            return f"The stories {current_app.config['SITE_NAME']} published on {self.heading}."
        if self.author:
            bio = self.author.bio.strip()
            return f"Stories by {self.author.name}." + (f" {bio}" if bio else "")
        if self.section:
            site = current_app.config["SITE_NAME"]
            return self.section.description.strip() or f"The latest {self.section.name} news from {site}."
        return None

    @property
    def key(self) -> str | None:
        """The list's name for what is kept about it per reader (their last visit): "front",
        "section:<slug>" or "reporter:<slug>"; None for an archive day, which has no new stories
        to catch up on."""
        if self.day:
            return None
        if self.author:
            return f"reporter:{self.author.slug}"
        return f"section:{self.section.slug}" if self.section else "front"

    @property
    def is_front_page(self) -> bool:
        return self.section is None and self.author is None and self.day is None

    @property
    def is_live(self) -> bool:
        """Lists kept open to follow the news announce new stories; a reporter's page and a day's
        don't."""
        return self.author is None and self.day is None

    @property
    def other_days(self) -> tuple["StoryList | None", "StoryList | None"]:
        """The archive's days before and after this list's (None where there is none)."""
        before, after = self.day - timedelta(days=1), self.day + timedelta(days=1)
        return (StoryList(day=before) if before >= FIRST_ARCHIVE_DAY else None,
                StoryList(day=after) if after <= today() else None)

    @property
    def live_values(self) -> dict:
        """How the live endpoints name this list (`section=<slug>`, nothing for the front page)."""
        return {"section": self.section.slug} if self.section else {}

    def url(self, **args) -> str:
        return url_for(self.endpoint, **self.values, **args)

    def through_urls(self):
        """`story_id -> self.url(through=story_id)` with one url_for for all of a page's rows, where
        each row's Save button comes back to (a list's URL has no query of its own)."""
        top = self.url()
        return lambda story_id: f"{top}?through={story_id}"

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


def day_values(day: date) -> dict:
    """The URL values of a day of the archive."""
    return {"year": day.year, "month": day.month, "day": day.day}


@dataclass(frozen=True)
class Cursor:
    """A story named by a query value (`?after=`, `?through=`, `?newest=`), as a place in feed
    order. The queries that page from it read its place themselves (queries.cursor_position);
    `refuse_if_unknown` is the check that it names a story ever published, a statement of its
    own, so callers make it only when those queries found nothing."""

    story_id: int
    purpose: str

    def refuse_if_unknown(self) -> None:
        """A 400 ("There is no published story 12 to <purpose>") unless the story was ever
        published."""
        if not was_ever_published(self.story_id):
            abort(400, description=f"There is no published story {self.story_id} to {self.purpose}.")


def cursor_arg(name: str, purpose: str) -> Cursor | None:
    """The story id in query value `name`, as a cursor; None when absent. A 400 when it is not a
    story number (whether it names a story is Cursor.refuse_if_unknown's to say)."""
    raw = request.args.get(name)
    if raw is None:
        return None
    article_id = parse_id(raw)
    if article_id is None:
        abort(400, description=f"The “{name}” value must be a story number.")
    return Cursor(article_id, purpose)
