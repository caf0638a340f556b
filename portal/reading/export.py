"""A reader's history in the account's JSON export (bookmarks.json, portal.bookmarks.export)."""

from sqlalchemy import select

from ..accounts.models import User
from ..extensions import db
from ..news.models import Article
from ..news.syndication import article_url
from ..web.filters import iso
from .models import ListVisit, StoryRead


def reading_history(user: User) -> list[dict]:
    rows = db.session.execute(
        select(Article, StoryRead.read_at).join(StoryRead, StoryRead.article_id == Article.id)
        .where(StoryRead.user_id == user.id).order_by(StoryRead.read_at.desc(), StoryRead.article_id.desc()))
    return [{"title": article.title, "url": article_url(article), "read_at": iso(read_at)} for article, read_at in rows]


def last_visits(user: User) -> list[dict]:
    rows = db.session.execute(
        select(ListVisit.list_key, ListVisit.visited_at, Article).join(Article, ListVisit.top_article_id == Article.id)
        .where(ListVisit.user_id == user.id).order_by(ListVisit.visited_at.desc(), ListVisit.list_key))
    return [{"list": list_key, "visited_at": iso(visited_at), "top_story": {"title": article.title,
                                                                           "url": article_url(article)}}
            for list_key, visited_at, article in rows]
