"""Saving and removing a reader's bookmarks. Operations flush; the caller commits."""

from sqlalchemy import delete

from ..accounts.models import User
from ..database import upserting_insert
from ..extensions import db
from .models import Bookmark


def save_bookmark(user: User, article_id: int) -> None:
    """Save a story for a reader; saving it again (or two saves racing) leaves one bookmark."""
    db.session.execute(
        upserting_insert()(Bookmark).values(user_id=user.id, article_id=article_id).on_conflict_do_nothing(
            index_elements=[Bookmark.user_id, Bookmark.article_id]
        )
    )


def remove_bookmark(user: User, article_id: int) -> None:
    db.session.execute(delete(Bookmark).where(Bookmark.user_id == user.id, Bookmark.article_id == article_id))
