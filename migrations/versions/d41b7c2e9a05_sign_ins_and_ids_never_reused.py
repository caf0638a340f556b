"""Sign-ins kept on the server (user_sessions); on SQLite, ids that are never reused.

SQLite hands a deleted row's id to the next insert unless the table is AUTOINCREMENT, which only
a rebuild can add: users, articles and bookmarks are rebuilt (their triggers, such as the search
index's, are kept). Ids of rows deleted before this upgrade are not known, so they may still come
back once; every id handed out after it is new. PostgreSQL's sequences never go back: nothing to
do there.

Revision ID: d41b7c2e9a05
Revises: c7d4e2a91f3b
Create Date: 2026-12-02

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'd41b7c2e9a05'
down_revision = 'c7d4e2a91f3b'
branch_labels = None
depends_on = None

NEVER_REUSED = ("users", "articles", "bookmarks")


def upgrade():
    op.create_table('user_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('key_digest', sa.String(length=64), nullable=False),
    sa.Column('remember_digest', sa.String(length=64), nullable=True),
    sa.Column('previous_remember_digest', sa.String(length=64), nullable=True),
    sa.Column('remember_renewed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('browser', sa.String(length=120), nullable=False),
    sa.Column('network', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_user_sessions_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_sessions')),
    sa.UniqueConstraint('key_digest', name=op.f('uq_user_sessions_key_digest')),
    sqlite_autoincrement=True,
    )
    with op.batch_alter_table('user_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_sessions_user_id'), ['user_id'], unique=False)

    if op.get_bind().dialect.name == "sqlite":
        for table in NEVER_REUSED:
            _rebuild_sqlite_table(table, autoincrement=True)


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        for table in NEVER_REUSED:
            _rebuild_sqlite_table(table, autoincrement=False)
    with op.batch_alter_table('user_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_sessions_user_id'))
    op.drop_table('user_sessions')


def _rebuild_sqlite_table(table: str, autoincrement: bool) -> None:
    """Rebuild a table (batch mode copies its rows, indexes and constraints), putting back the
    triggers that dropping the old table takes with it."""
    triggers = op.get_bind().exec_driver_sql(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?", (table,)
    ).fetchall()
    for name, _sql in triggers:
        op.execute(f'DROP TRIGGER "{name}"')
    with op.batch_alter_table(table, recreate="always", table_kwargs={"sqlite_autoincrement": autoincrement}):
        pass
    for _name, sql in triggers:
        op.execute(sql)
