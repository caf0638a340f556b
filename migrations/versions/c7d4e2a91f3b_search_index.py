"""Full-text search index on articles: FTS5 with triggers on SQLite, a GIN index on PostgreSQL.

These objects are not in the models' metadata; portal/search/index.py makes the same ones for
`db.create_all()` (tests/search/test_search.py checks that both give the same schema), and tells
autogenerate to leave them alone.

On SQLite the index is kept by triggers on `articles`: a later migration that rebuilds that table
(batch mode copies it to a new one) drops the triggers with it and must make them again.

Revision ID: c7d4e2a91f3b
Revises: 581d2b12aaeb
Create Date: 2026-11-26

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = 'c7d4e2a91f3b'
down_revision = '581d2b12aaeb'
branch_labels = None
depends_on = None

SQLITE_CREATE = (
    ("CREATE VIRTUAL TABLE articles_fts USING fts5(title, summary, body, content='articles', "
     "content_rowid='id', tokenize='porter unicode61 remove_diacritics 2')"),
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
    # Index the stories already there.
    "INSERT INTO articles_fts (articles_fts) VALUES ('rebuild')",
)
SQLITE_DROP = (
    "DROP TRIGGER IF EXISTS articles_fts_update",
    "DROP TRIGGER IF EXISTS articles_fts_delete",
    "DROP TRIGGER IF EXISTS articles_fts_insert",
    "DROP TABLE IF EXISTS articles_fts",
)
SEARCH_VECTOR = (
    "setweight(to_tsvector('english', coalesce(title, '')), 'A') || "
    "setweight(to_tsvector('english', coalesce(summary, '')), 'B') || "
    "setweight(to_tsvector('english', coalesce(body, '')), 'C')"
)
POSTGRESQL_CREATE = (f"CREATE INDEX ix_articles_search ON articles USING gin (({SEARCH_VECTOR}))",)
POSTGRESQL_DROP = ("DROP INDEX IF EXISTS ix_articles_search",)


def _run(statements_by_dialect):
    for statement in statements_by_dialect.get(op.get_context().dialect.name, ()):
        op.execute(statement)


def upgrade():
    _run({"sqlite": SQLITE_CREATE, "postgresql": POSTGRESQL_CREATE})


def downgrade():
    _run({"sqlite": SQLITE_DROP, "postgresql": POSTGRESQL_DROP})
