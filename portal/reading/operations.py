"""Recording and clearing a reader's history. Operations flush; the caller commits."""

from collections.abc import Iterable

from sqlalchemy import delete, literal, select

from ..accounts.models import User
from ..database import upserting_insert
from ..extensions import db
from ..news.models import Article, Status
from ..web.timestamps import UTCDateTime, utcnow
from .models import HISTORY_KEPT, LISTS_KEPT, ListVisit, StoryRead


def _published(story_ids: Iterable[int]):
    """The published stories among these ids (ids of nothing, or of drafts, are left out)."""
    return select(Article.id).where(Article.id.in_(list(story_ids)), Article.status == Status.published)


def record_reads(user: User, story_ids: list[int]) -> None:
    """The reader opened these stories (now): each is kept once, with its latest time; only the
    newest HISTORY_KEPT are kept."""
    if not story_ids:
        return
    now = utcnow()
    opened = _published(story_ids).add_columns(literal(user.id).label("user_id"), literal(now, UTCDateTime()).label("read_at"))
    insert = upserting_insert()(StoryRead).from_select(["article_id", "user_id", "read_at"], opened)
    db.session.execute(insert.on_conflict_do_update(
        index_elements=[StoryRead.user_id, StoryRead.article_id], set_={"read_at": insert.excluded.read_at}))
    kept = (select(StoryRead.article_id).where(StoryRead.user_id == user.id)
            .order_by(StoryRead.read_at.desc(), StoryRead.article_id.desc()).limit(HISTORY_KEPT))
    db.session.execute(delete(StoryRead).where(StoryRead.user_id == user.id, StoryRead.article_id.not_in(kept)))


def record_visits(user: User, visits: dict[str, int]) -> None:
    """The reader loaded these lists (now), each with that story at its top: `{list key: story
    id}`. A story that isn't published is left out; only the newest LISTS_KEPT lists are kept."""
    if not visits:
        return
    now = utcnow()
    insert = upserting_insert()
    for list_key, story_id in visits.items():
        top = _published([story_id]).add_columns(
            literal(user.id).label("user_id"), literal(list_key).label("list_key"), literal(now, UTCDateTime()).label("visited_at"))
        stmt = insert(ListVisit).from_select(["top_article_id", "user_id", "list_key", "visited_at"], top)
        db.session.execute(stmt.on_conflict_do_update(
            index_elements=[ListVisit.user_id, ListVisit.list_key],
            set_={"top_article_id": stmt.excluded.top_article_id, "visited_at": stmt.excluded.visited_at}))
    kept = (select(ListVisit.list_key).where(ListVisit.user_id == user.id)
            .order_by(ListVisit.visited_at.desc(), ListVisit.list_key).limit(LISTS_KEPT))
    db.session.execute(delete(ListVisit).where(ListVisit.user_id == user.id, ListVisit.list_key.not_in(kept)))


def clear_history(user: User) -> int:
    """Forget every story the reader read and every list visit; the number of stories forgotten."""
    forgotten = db.session.execute(delete(StoryRead).where(StoryRead.user_id == user.id)).rowcount
    db.session.execute(delete(ListVisit).where(ListVisit.user_id == user.id))
    return forgotten
