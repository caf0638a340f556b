"""The search index's objects, which are not in the models' metadata:

- SQLite: an external-content FTS5 table, `articles_fts`, kept in step with `articles` by triggers.
- PostgreSQL: a GIN expression index on a weighted tsvector of the title, summary and body (no
  triggers: the index follows the rows).

They are made by `create_search_index()`: on `db.create_all()` (an after_create event on
`articles`) and, in the same words, by the migration that added search (a test checks that the two
agree). Alembic's comparison is taught to leave them alone: importing this module registers that
comparator, so migrations/env.py imports it too.
"""

from alembic.autogenerate import comparators
from alembic.operations import ops
from alembic.util import DispatchPriority, PriorityDispatchResult
from sqlalchemy import event

from ..news.models import Article

# Written out again in migrations/versions/c7d4e2a91f3b_search_index.py: keep the two the same
# (tests/search/test_search.py compares the objects each one builds).

FTS_TABLE = "articles_fts"
SQLITE_CREATE = (
    ("CREATE VIRTUAL TABLE articles_fts USING fts5(title, summary, body, content='articles', "
     "content_rowid='id', tokenize='porter unicode61 remove_diacritics 2')"),
    # The 'delete' command takes the indexed values as they were, so the index never drifts.
    ("CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN "
     "INSERT INTO articles_fts (rowid, title, summary, body) "
     "VALUES (new.id, new.title, new.summary, new.body); "
     "END"),
    ("CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN "
     "INSERT INTO articles_fts (articles_fts, rowid, title, summary, body) "
     "VALUES ('delete', old.id, old.title, old.summary, old.body); "
     "END"),
    ("CREATE TRIGGER articles_fts_update AFTER UPDATE OF title, summary, body ON articles BEGIN "
     "INSERT INTO articles_fts (articles_fts, rowid, title, summary, body) "
     "VALUES ('delete', old.id, old.title, old.summary, old.body); "
     "INSERT INTO articles_fts (rowid, title, summary, body) "
     "VALUES (new.id, new.title, new.summary, new.body); "
     "END"),
)
SQLITE_DROP = (
    "DROP TRIGGER IF EXISTS articles_fts_update",
    "DROP TRIGGER IF EXISTS articles_fts_delete",
    "DROP TRIGGER IF EXISTS articles_fts_insert",
    "DROP TABLE IF EXISTS articles_fts",
)

# Queries repeat this expression word for word, so PostgreSQL uses the index.
SEARCH_VECTOR = (
    "setweight(to_tsvector('english', coalesce(title, '')), 'A') || "
    "setweight(to_tsvector('english', coalesce(summary, '')), 'B') || "
    "setweight(to_tsvector('english', coalesce(body, '')), 'C')"
)
POSTGRESQL_INDEX = "ix_articles_search"
POSTGRESQL_CREATE = (f"CREATE INDEX ix_articles_search ON articles USING gin (({SEARCH_VECTOR}))",)
POSTGRESQL_DROP = ("DROP INDEX IF EXISTS ix_articles_search",)


def create_search_index(connection) -> None:
    """Make the search index objects for this connection's database (articles must exist)."""
    statements = {"sqlite": SQLITE_CREATE, "postgresql": POSTGRESQL_CREATE}.get(connection.dialect.name, ())
    for statement in statements:
        connection.exec_driver_sql(statement)


def drop_search_index(connection) -> None:
    statements = {"sqlite": SQLITE_DROP, "postgresql": POSTGRESQL_DROP}.get(connection.dialect.name, ())
    for statement in statements:
        connection.exec_driver_sql(statement)


@event.listens_for(Article.__table__, "after_create")
def _create_with_articles(_table, connection, **_kw):
    create_search_index(connection)


@event.listens_for(Article.__table__, "before_drop")
def _drop_with_articles(_table, connection, **_kw):
    drop_search_index(connection)


def is_search_object(name: str | None, type_: str) -> bool:
    """The FTS5 table and the shadow tables SQLite keeps for it; the PostgreSQL index."""
    if type_ == "table":
        return bool(name) and (name == FTS_TABLE or name.startswith(FTS_TABLE + "_"))
    return type_ == "index" and name == POSTGRESQL_INDEX


@comparators.dispatch_for("autogenerate", priority=DispatchPriority.LAST)
def _ignore_search_objects(_autogen_context, upgrade_ops, *_args):
    """Every schema comparison (`flask db migrate`, init-db's check, the migration tests) leaves
    the search objects alone: they are made by hand, so the models' metadata doesn't have them."""

    def keep(op) -> bool:
        if isinstance(op, ops.DropTableOp):
            return not is_search_object(op.table_name, "table")
        if isinstance(op, ops.DropIndexOp):
            return not is_search_object(op.index_name, "index")
        if isinstance(op, ops.ModifyTableOps):
            op.ops = [inner for inner in op.ops if keep(inner)]
            return bool(op.ops)
        return True

    upgrade_ops.ops = [op for op in upgrade_ops.ops if keep(op)]
    return PriorityDispatchResult.CONTINUE
