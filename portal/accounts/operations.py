"""Changes to accounts that more than one view makes. Operations flush; the caller commits."""

from sqlalchemy import delete

from ..extensions import db
from .models import User, UserSession


def delete_user(user: User) -> None:
    """Delete the account and its sign-ins. Rows of other features that name the account go with
    it by their foreign keys' ON DELETE CASCADE (bookmarks), which both engines enforce."""
    db.session.execute(delete(UserSession).where(UserSession.user_id == user.id))
    db.session.delete(user)
    db.session.flush()
