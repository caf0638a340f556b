"""Stories written on the desk: their Markdown source and sanitised HTML, and a revision counter
that refuses a stale form.

Columns are added in place (SQLite's ADD COLUMN), so the articles table is not rebuilt and the
search index's triggers stay.

Revision ID: c5f1a9e3d2b6
Revises: b7e2d4c8a1f9
Create Date: 2026-12-03

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'c5f1a9e3d2b6'
down_revision = 'b7e2d4c8a1f9'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('articles', sa.Column('body_source', sa.Text(), nullable=True))
    op.add_column('articles', sa.Column('body_html', sa.Text(), nullable=True))
    op.add_column('articles', sa.Column('revision', sa.Integer(), nullable=False, server_default='1'))


def downgrade():
    # ALTER TABLE ... DROP COLUMN (SQLite 3.35 and later) rather than a rebuild, which would drop
    # the search index's triggers.
    for column in ('revision', 'body_html', 'body_source'):
        op.execute(f'ALTER TABLE articles DROP COLUMN {column}')
