"""Saving and removing a reader's bookmarks. Operations flush; the caller commits."""

from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite

from ..accounts.models import User
from ..extensions import db
from .models import Bookmark

# Both engines can skip an insert that would break a unique key, in one statement.
_INSERT = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


def save_bookmark(user: User, article_id: int) -> None:
    """Save a story for a reader; saving it again (or two saves racing) leaves one bookmark."""
    insert = _INSERT[db.session.get_bind().dialect.name]
    db.session.execute(
        insert(Bookmark).values(user_id=user.id, article_id=article_id).on_conflict_do_nothing(
            index_elements=[Bookmark.user_id, Bookmark.article_id]
        )
    )


def remove_bookmark(user: User, article_id: int) -> None:
    db.session.execute(delete(Bookmark).where(Bookmark.user_id == user.id, Bookmark.article_id == article_id))
