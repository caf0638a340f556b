"""The content version: one number that every change to what readers see moves on, inside the
transaction that makes the change.

Cached pages are keyed by it (portal.web.pagecache), so a page rendered before a change is never
served after it, whichever process, machine or command made the change: the number is read from
the same database the change was committed to. Any flush or bulk statement that touches stories,
bylines, sections or reporters bumps it, so no caller has to remember to.
"""

from sqlalchemy import DDL, BigInteger, event, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from ..extensions import db
from .models import Article, ArticleAuthor, Author, Section

ROW_ID = 1
# What pages show: a change to any of these rows may change a page.
_CONTENT_MODELS = (Article, ArticleAuthor, Author, Section)
_CONTENT_TABLES = frozenset(model.__table__ for model in _CONTENT_MODELS)


class ContentVersion(db.Model):
    """A single row (id 1) whose value only grows."""

    __tablename__ = "content_version"
    id: Mapped[int] = mapped_column(primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, default=0)


# Tables made by create_all (tests, a first start without migrations) get their row as the
# migration gives it.
event.listen(ContentVersion.__table__, "after_create",
             DDL(f"INSERT INTO content_version (id, value) VALUES ({ROW_ID}, 0)"))


_READ = f"SELECT value FROM content_version WHERE id = {ROW_ID}"


def read_version() -> int:
    """The committed version: one indexed statement, on a pooled connection of its own rather
    than the request's session (a tenth of the cost, which matters on a page served from the
    cache). A page rendered after this read may show a change committed since, never one older."""
    with db.engine.connect() as connection:
        return connection.exec_driver_sql(_READ).scalar() or 0


def bump(session: Session) -> None:
    session.execute(update(ContentVersion).where(ContentVersion.id == ROW_ID)
                    .values(value=ContentVersion.value + 1))


def _changes_content(session: Session) -> bool:
    if any(isinstance(obj, _CONTENT_MODELS) for obj in (*session.new, *session.deleted)):
        return True
    return any(isinstance(obj, _CONTENT_MODELS) and session.is_modified(obj) for obj in session.dirty)


@event.listens_for(Session, "before_flush")
def _bump_on_flush(session, flush_context, instances):
    if _changes_content(session):
        bump(session)


@event.listens_for(Session, "do_orm_execute")
def _bump_on_bulk_statement(orm_execute_state):
    """Bulk inserts, updates and deletes (insert_stories, say) skip the flush."""
    if not (orm_execute_state.is_insert or orm_execute_state.is_update or orm_execute_state.is_delete):
        return
    table = getattr(orm_execute_state.statement, "table", None)
    if table in _CONTENT_TABLES:
        bump(orm_execute_state.session)
