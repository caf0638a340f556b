"""A story a signed-out reader asked to save: saved once they have signed in or registered."""

from flask import flash

from ..news.queries import get_published_article
from ..web.ids import parse_id
from .operations import save_bookmark


def save_pending_story(_app, user, pending: str) -> str | None:
    """Receiver of accounts' signed_in_through_form: save the story, and return to its row."""
    story_id = parse_id(pending)
    article = get_published_article(story_id) if story_id is not None else None
    if article is None:
        return None
    save_bookmark(user, article.id)
    flash(f"Saved “{article.title}”.")
    return f"story-{article.id}"
