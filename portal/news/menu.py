"""The sections, kept in this process for the content version they were read at (a change to a
section moves the version on): the menu in the masthead of every full page, and the section a
section page is about. A page that reads the version anyway pays no statement for them."""

from dataclasses import dataclass

from flask import current_app, g
from sqlalchemy.exc import SQLAlchemyError

from ..extensions import db
from ..web.pagecache import content_version
from .queries import all_sections

_KEPT = "portal.kept_sections"


@dataclass(frozen=True)
class KeptSection:
    id: int
    name: str
    slug: str
    description: str


def kept_sections() -> tuple[KeptSection, ...]:
    """Every section, in menu order."""
    version = content_version()
    kept = current_app.extensions.get(_KEPT)
    if kept is None or kept[0] != version:
        # Read after the version, so what is kept is never older than the version it is kept for.
        sections = tuple(KeptSection(s.id, s.name, s.slug, s.description) for s in all_sections())
        kept = current_app.extensions[_KEPT] = (version, sections)
    return kept[1]


def kept_section(slug: str) -> KeptSection | None:
    return next((section for section in kept_sections() if section.slug == slug), None)


def nav_sections() -> tuple[KeptSection, ...]:
    """The sections menu; called from base.html only, so fragments skip it. An error page still
    renders when the database is down."""
    if g.get("database_unavailable"):
        return ()
    try:
        return kept_sections()
    except SQLAlchemyError:
        try:
            db.session.rollback()
        except SQLAlchemyError:
            db.session().invalidate()
        return ()
