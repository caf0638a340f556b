"""Unpublished stories say why: the public reason given when a published story is withdrawn
(its status becomes 'unpublished'; the column holds statuses as text, so no other change).

Revision ID: d8a4b6e2c0f3
Revises: c5f1a9e3d2b6
Create Date: 2026-12-03

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'd8a4b6e2c0f3'
down_revision = 'c5f1a9e3d2b6'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('articles', sa.Column('unpublished_note', sa.Text(), nullable=True))
    # Stories withdrawn before: they had gone back to draft, with their publication time kept.
    op.execute("UPDATE articles SET status = 'unpublished' WHERE status = 'draft' AND published_at IS NOT NULL")


def downgrade():
    op.execute("UPDATE articles SET status = 'draft' WHERE status = 'unpublished'")
    op.execute('ALTER TABLE articles DROP COLUMN unpublished_note')
