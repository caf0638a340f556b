"""One page of rows, and whether more follow (the keyset lists' "Older ..." links)."""

from ..extensions import db


def page_of(stmt, limit: int) -> tuple[list, bool]:
    """The first `limit` rows of `stmt` (ordered and cursored by the caller); one more is asked
    for, to know whether another page follows."""
    rows = list(db.session.scalars(stmt.limit(limit + 1)))
    return rows[:limit], len(rows) > limit
