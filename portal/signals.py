"""What happened to stories, told to whoever listens (caches, live readers, feeds), once it is true.

An operation calls `send_after_commit(story_published, [ids])` inside its transaction; the
signal is sent after the outermost transaction commits, with `story_ids`. A rollback (of the
whole transaction, or of the savepoint the operation ran in) drops it unsent. Receivers run
after the commit, when the session can't run SQL: one that needs the database opens a
connection of its own. A receiver that fails is logged; it does not undo the commit.
"""

import logging

from blinker import Namespace
from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from .extensions import db

_signals = Namespace()

story_published = _signals.signal("story_published")
story_updated = _signals.signal("story_updated")
story_unpublished = _signals.signal("story_unpublished")

_PENDING = "portal.pending_signals"
log = logging.getLogger(__name__)


def send_after_commit(signal, story_ids) -> None:
    """Queue `signal` with these story ids on the current session's transaction."""
    session = db.session()
    if session.get_transaction() is None:
        session.begin()  # the signal belongs to a transaction, even one that has changed nothing yet
    pending = session.info.setdefault(_PENDING, [])
    # Tagged with the innermost transaction, so a rolled-back savepoint takes its signals with it.
    pending.append((session.get_nested_transaction() or session.get_transaction(), signal, list(story_ids)))


def _within(transaction: SessionTransaction | None, ended: SessionTransaction) -> bool:
    while transaction is not None:
        if transaction is ended:
            return True
        transaction = transaction.parent
    return False


@event.listens_for(Session, "after_soft_rollback")
def _drop_rolled_back(session: Session, previous_transaction: SessionTransaction) -> None:
    pending = session.info.get(_PENDING)
    if pending:
        pending[:] = [item for item in pending if not _within(item[0], previous_transaction)]


@event.listens_for(Session, "after_transaction_end")
def _drop_uncommitted(session: Session, transaction: SessionTransaction) -> None:
    # The outermost transaction has ended, and after_commit (which comes first) sent what it
    # committed: anything still queued was closed away without a commit (Session.close()).
    if transaction.parent is None:
        session.info.pop(_PENDING, None)


@event.listens_for(Session, "after_commit")
def _send_committed(session: Session) -> None:
    if session.in_nested_transaction():
        return  # SQLAlchemy calls this for a released savepoint too: its signals wait for the outer commit
    pending = session.info.pop(_PENDING, None)
    for signal, story_ids in _merged(pending or []):
        for receiver in signal.receivers_for(None):
            try:
                receiver(None, story_ids=story_ids)
            except Exception:  # a receiver's failure must not turn a committed change into an error
                log.exception("A %s receiver failed", signal.name)


def _merged(pending):
    """One send per signal for a commit, with every story id it gathered, in order."""
    merged: dict = {}
    for _transaction, signal, story_ids in pending:
        merged.setdefault(signal, []).extend(story_ids)
    return merged.items()
