"""Roles (reader, editor, admin) in place of is_editor, and the desk's audit log.

Editors stay editors; everyone else is a reader. On SQLite the users table is rebuilt by batch
mode (it keeps AUTOINCREMENT, so ids are still never reused).

Revision ID: a3c9e1f0b7d2
Revises: e5a8c3f17b42
Create Date: 2026-12-03

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'a3c9e1f0b7d2'
down_revision = 'e5a8c3f17b42'
branch_labels = None
depends_on = None

ROLE = sa.Enum('reader', 'editor', 'admin', name='role', native_enum=False, length=16, create_constraint=False)


def upgrade():
    with op.batch_alter_table('users', schema=None, table_kwargs={"sqlite_autoincrement": True}) as batch_op:
        batch_op.add_column(sa.Column('role', ROLE, nullable=False, server_default='reader'))
    op.execute("UPDATE users SET role = 'editor' WHERE is_editor")
    with op.batch_alter_table('users', schema=None, table_kwargs={"sqlite_autoincrement": True}) as batch_op:
        batch_op.alter_column('role', server_default=None)
        batch_op.drop_column('is_editor')

    op.create_table('audit_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor_email', sa.String(length=254), nullable=False),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('subject', sa.String(length=400), nullable=False),
    sa.Column('detail', sa.String(length=1000), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_audit_log_actor_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_log')),
    sqlite_autoincrement=True,
    )
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_log_actor_id'), ['actor_id'], unique=False)


def downgrade():
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_log_actor_id'))
    op.drop_table('audit_log')
    with op.batch_alter_table('users', schema=None, table_kwargs={"sqlite_autoincrement": True}) as batch_op:
        batch_op.add_column(sa.Column('is_editor', sa.Boolean(), nullable=False, server_default=sa.false()))
    op.execute("UPDATE users SET is_editor = (role <> 'reader')")
    with op.batch_alter_table('users', schema=None, table_kwargs={"sqlite_autoincrement": True}) as batch_op:
        batch_op.alter_column('is_editor', server_default=None)
        batch_op.drop_column('role')
