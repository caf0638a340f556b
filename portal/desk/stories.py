"""The desk's list of stories: every status, the newest change first, filtered by section,
reporter and status, paged by a cursor (the last story shown)."""

from flask import abort, render_template, request
from sqlalchemy import select, tuple_
from sqlalchemy.orm import aliased, joinedload, selectinload

from ..extensions import db
from ..news.models import Article, ArticleAuthor, Author, Section, Status
from ..web.ids import id_arg
from ..web.paging import page_of
from .blueprint import bp

PAGE_SIZE = 50
_cursor = aliased(Article, name="cursor_story")


def desk_position():
    return tuple_(Article.updated_at, Article.id)


def stories_after(after: int | None, limit: int, *, section_id=None, author_id=None,
                  status: Status | None = None) -> tuple[list[Article], bool]:
    """A page of stories in the desk's order (newest change first) after story `after`."""
    stmt = (
        select(Article)
        .options(joinedload(Article.section), selectinload(Article.bylines).joinedload(ArticleAuthor.author))
        .order_by(Article.updated_at.desc(), Article.id.desc())
    )
    if section_id is not None:
        stmt = stmt.where(Article.section_id == section_id)
    if author_id is not None:
        stmt = stmt.where(Article.id.in_(select(ArticleAuthor.article_id).where(ArticleAuthor.author_id == author_id)))
    if status is not None:
        stmt = stmt.where(Article.status == status)
    if after is not None:
        changed_at = select(_cursor.updated_at).where(_cursor.id == after).scalar_subquery()
        stmt = stmt.where(desk_position() < tuple_(changed_at, after))
    return page_of(stmt, limit)


def _filter_choice(name: str, options: dict):
    """The option a filter names (None when not given); 400 for one that does not exist."""
    value = request.args.get(name, "")
    if not value:
        return None
    if value not in options:
        abort(400, description=f"There is no such {name} to filter by.")
    return options[value]


@bp.get("")
def index():
    sections = list(db.session.scalars(select(Section).order_by(Section.name)))
    authors = list(db.session.scalars(select(Author).order_by(Author.name)))
    section = _filter_choice("section", {s.slug: s for s in sections})
    author = _filter_choice("reporter", {a.slug: a for a in authors})
    status = _filter_choice("status", {s.value: s for s in Status})
    after = id_arg("after", "story")
    stories, has_more = stories_after(after, PAGE_SIZE, section_id=section and section.id,
                                      author_id=author and author.id, status=status)
    filters = {"section": section and section.slug, "reporter": author and author.slug,
               "status": status and status.value}
    return render_template("desk/index.html", stories=stories, filters=filters, paged=after is not None,
                           statuses=[(s.value, s.value.capitalize()) for s in Status],
                           sections=[(s.slug, s.name) for s in sections],
                           reporters=[(a.slug, a.name) for a in authors],
                           next_after=stories[-1].id if stories and has_more else None)
