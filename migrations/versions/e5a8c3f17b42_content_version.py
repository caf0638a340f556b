"""The content version: one row whose value every change to stories, bylines, sections or
reporters moves on, inside its own transaction; cached pages are keyed by it.

Revision ID: e5a8c3f17b42
Revises: d41b7c2e9a05
Create Date: 2026-12-02

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'e5a8c3f17b42'
down_revision = 'd41b7c2e9a05'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('content_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('value', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_content_version'))
    )
    op.execute("INSERT INTO content_version (id, value) VALUES (1, 0)")


def downgrade():
    op.drop_table('content_version')
