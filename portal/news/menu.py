"""The sections menu in the masthead of every full page."""

from flask import g
from sqlalchemy.exc import SQLAlchemyError

from ..extensions import db
from .queries import all_sections


def nav_sections():
    """The sections menu; called from base.html only, so fragments skip the query. An error
    page still renders when the database is down."""
    if g.get("database_unavailable"):
        return []
    try:
        return all_sections()
    except SQLAlchemyError:
        try:
            db.session.rollback()
        except SQLAlchemyError:
            db.session().invalidate()
        return []
