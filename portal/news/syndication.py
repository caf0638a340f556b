"""The site for feed readers and search engines: Atom feeds, the sitemap and robots.txt."""

import re
from datetime import UTC, datetime, timedelta

from feedgen.feed import FeedGenerator
from flask import Blueprint, current_app, make_response, render_template
from sqlalchemy import func, select

from ..extensions import db
from ..web.filters import local_time
from ..web.pagecache import reader_page
from ..web.timestamps import utcnow
from ..web.urls import absolute_url
from .lists import StoryList, day_values
from .models import Article, Author, Section
from .queries import newest_stories, published_stories

bp = Blueprint("syndication", __name__)

FEED_ENTRIES = 50
SITEMAP_STORIES = 5000
# Characters XML 1.0 cannot carry (lxml refuses them): C0 controls but tab, newline and
# carriage return; lone surrogates; U+FFFE and U+FFFF.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
ATOM = "application/atom+xml; charset=utf-8"


def xml_text(text: str | None) -> str:
    return NOT_XML.sub("", text or "")


def article_url(article: Article) -> str:
    return absolute_url("articles.show", **article.url_values)


def new_atom_feed(title: str, self_url: str, alternate_url: str, updated: datetime) -> FeedGenerator:
    site = current_app.config["SITE_NAME"]
    feed = FeedGenerator()
    feed.id(self_url)
    feed.title(xml_text(title))
    feed.link(href=self_url, rel="self", type="application/atom+xml")
    feed.link(href=alternate_url, rel="alternate", type="text/html")
    feed.author({"name": xml_text(site) or "News", "uri": absolute_url("feed.index")})
    feed.updated(updated)
    return feed


def add_article_entry(feed: FeedGenerator, article: Article, updated: datetime) -> None:
    """One story as an Atom entry: its canonical URL is its id, so it never changes."""
    url = article_url(article)
    entry = feed.add_entry(order="append")
    entry.id(url)
    entry.title(xml_text(article.title).strip() or "Untitled story")
    entry.link(href=url, rel="alternate", type="text/html")
    summary = xml_text(article.summary).strip()
    if summary:
        entry.summary(summary)
    names = [xml_text(a.name).strip() for a in article.authors]
    # Without a byline the entry falls back on the feed's author, as Atom allows.
    if any(names):
        entry.author([{"name": name} for name in names if name])
    entry.category(term=xml_text(article.section.name) or "News")
    if article.published_at is not None:
        entry.published(article.published_at)
    entry.updated(updated)


def atom_response(body: bytes):
    response = make_response(body)
    response.headers["Content-Type"] = ATOM
    return response


def stories_feed(story_list: StoryList):
    """The newest stories of a list as an Atom feed, titled with the list's name and the site's,
    with the list's own description as its subtitle."""
    site = current_app.config["SITE_NAME"]
    stories = newest_stories(story_list.stories, FEED_ENTRIES)
    updated = max((s.modified_at for s in stories), default=datetime.now(UTC))
    title = f"{story_list.heading} · {site}" if story_list.heading else site
    feed = new_atom_feed(title, absolute_url(story_list.feed_endpoint, **story_list.values),
                         absolute_url(story_list.endpoint, **story_list.values), updated)
    feed.subtitle(xml_text(story_list.description or f"The latest stories from {site}"))
    for story in stories:
        add_article_entry(feed, story, story.modified_at)
    return atom_response(feed.atom_str(pretty=True))


@bp.get("/feed.atom")
@reader_page(same_for_everyone=True)
def site_feed():
    return stories_feed(StoryList.front_page())


@bp.get("/sections/<slug>/feed.atom")
@reader_page(same_for_everyone=True)
def section_feed(slug):
    return stories_feed(StoryList.of_section(slug))


@bp.get("/authors/<slug>/feed.atom")
@reader_page(same_for_everyone=True)
def author_feed(slug):
    return stories_feed(StoryList.of_author(slug))


@bp.get("/sitemap.xml")
@reader_page(same_for_everyone=True)
def sitemap():
    """The front page, every section and reporter, the newest stories with their dates, and the
    archive's days of those stories (each dated by its latest change)."""
    stories = db.session.execute(
        published_stories().with_only_columns(Article.id, Article.slug,
                                              func.coalesce(Article.corrected_at, Article.published_at),
                                              Article.published_at)
        .limit(SITEMAP_STORIES)
    ).all()
    days: dict = {}
    for _, _, updated, published_at in stories:
        day = local_time(published_at).date()
        days[day] = max(days.get(day, updated), updated)
    pages = [(absolute_url("feed.index"), None)]
    pages += [(absolute_url("feed.section", slug=slug), None)
              for slug in db.session.scalars(select(Section.slug).order_by(Section.id))]
    pages += [(absolute_url("feed.author", slug=slug), None)
              for slug in db.session.scalars(select(Author.slug).order_by(Author.id))]
    pages += [(absolute_url("articles.show", article_id=i, slug=s), updated) for i, s, updated, _ in stories]
    pages += [(absolute_url("feed.day", **day_values(day)), updated) for day, updated in days.items()]
    response = make_response(render_template("news/sitemap.xml", pages=pages))
    response.headers["Content-Type"] = "application/xml; charset=utf-8"
    return response


# Google News reads stories of the last two days from its sitemap, at most 1,000 of them.
NEWS_SITEMAP_WINDOW = timedelta(hours=48)
NEWS_SITEMAP_STORIES = 1000


@bp.get("/sitemap-news.xml")
@reader_page(same_for_everyone=True)
def news_sitemap():
    """The stories published in the last 48 hours, with their titles (Google News' sitemap).
    The window is the only time compared with now: it says which stories are recent, never
    whether a story is shown."""
    stories = db.session.execute(
        published_stories().where(Article.published_at >= utcnow() - NEWS_SITEMAP_WINDOW)
        .with_only_columns(Article.id, Article.slug, Article.title, Article.published_at)
        .limit(NEWS_SITEMAP_STORIES)
    ).all()
    response = make_response(render_template(
        "news/sitemap-news.xml",
        stories=[(absolute_url("articles.show", article_id=i, slug=s), title, at) for i, s, title, at in stories]))
    response.headers["Content-Type"] = "application/xml; charset=utf-8"
    return response


@bp.get("/robots.txt")
@reader_page(same_for_everyone=True)
def robots():
    private = ["/account", "/bookmarks", "/login", "/register", "/reset-password", "/search"]
    lines = ["User-agent: *", *(f"Disallow: {path}" for path in private),
             f"Sitemap: {absolute_url('syndication.sitemap')}",
             f"Sitemap: {absolute_url('syndication.news_sitemap')}", ""]
    response = make_response("\n".join(lines))
    response.headers["Content-Type"] = "text/plain; charset=utf-8"
    return response
