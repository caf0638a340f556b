"""Every save of a story kept as a revision (who, when, which button, what it said), listed on
the desk with a text diff against the save before."""

import difflib

from flask import abort, render_template
from sqlalchemy import select
from sqlalchemy.orm import defer

from ..accounts.models import User
from ..extensions import db
from ..news.models import Article
from .blueprint import bp
from .models import StoryRevision

# What a revision keeps, with the names editors know them by.
FIELDS = (("title", "Headline"), ("summary", "Summary"), ("body", "Body"))


def keep(article: Article, editor: User, action: str) -> StoryRevision:
    """Record the story as this save leaves it. Flushes; the caller commits it with the save."""
    revision = StoryRevision(article_id=article.id, editor_id=editor.id, editor_email=editor.email, action=action,
                             title=article.title, summary=article.summary or "", body=article.editable_body or "")
    db.session.add(revision)
    db.session.flush()
    return revision


def diff_lines(before: str, after: str) -> list[tuple[str, str]]:
    """A line diff as (kind, text) pairs, kind one of "added", "removed", "same", "gap"."""
    lines = []
    for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=2):
        if line.startswith(("---", "+++")):
            continue
        if line.startswith("@@"):
            if lines:  # between two changed passages: unchanged lines left out
                lines.append(("gap", "…"))
        elif line.startswith("+"):
            lines.append(("added", line[1:]))
        elif line.startswith("-"):
            lines.append(("removed", line[1:]))
        else:
            lines.append(("same", line[1:]))
    return lines


def _of_story(article_id: int):
    return select(StoryRevision).where(StoryRevision.article_id == article_id).order_by(StoryRevision.id.desc())


@bp.get("/stories/<int:article_id>/revisions")
def story_revisions(article_id):
    article = db.session.get(Article, article_id) or abort(404)
    # What the list shows: the bodies stay in the database.
    revisions = db.session.scalars(_of_story(article_id).options(defer(StoryRevision.summary),
                                                                 defer(StoryRevision.body)))
    return render_template("desk/revisions.html", article=article, revisions=list(revisions))


@bp.get("/stories/<int:article_id>/revisions/<int:revision_id>")
def story_revision(article_id, revision_id):
    """One revision, compared with the one before it (the first with nothing)."""
    article = db.session.get(Article, article_id) or abort(404)
    revision = db.session.scalar(_of_story(article_id).where(StoryRevision.id == revision_id)) or abort(404)
    previous = db.session.scalar(_of_story(article_id).where(StoryRevision.id < revision_id).limit(1))
    changes = [(label, diff_lines(getattr(previous, name) if previous else "", getattr(revision, name)))
               for name, label in FIELDS]
    return render_template("desk/revision.html", article=article, revision=revision, previous=previous,
                           changes=[(label, lines) for label, lines in changes if lines])
