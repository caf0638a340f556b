"""The desk's scheduling, top story, lead images and story revisions.

Revision ID: a1d7f3c9e5b8
Revises: f6c3a8d1e9b4
Create Date: 2026-12-03

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'a1d7f3c9e5b8'
down_revision = 'f6c3a8d1e9b4'
branch_labels = None
depends_on = None

ARTICLE_COLUMNS = (
    sa.Column('publish_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('top_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('lead_image', sa.JSON(), nullable=True),
    sa.Column('lead_image_alt', sa.String(length=500), nullable=True),
    sa.Column('lead_image_caption', sa.String(length=500), nullable=True),
)


def upgrade():
    # ADD COLUMN rather than batch mode: SQLite would rebuild the table and drop the search
    # index's triggers on it.
    for column in ARTICLE_COLUMNS:
        op.add_column('articles', column)
    op.create_index('ix_articles_schedule', 'articles', ['status', 'publish_at'], unique=False)
    op.create_index(op.f('ix_articles_top_until'), 'articles', ['top_until'], unique=False)
    op.create_table('story_revisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('article_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('editor_id', sa.Integer(), nullable=True),
    sa.Column('editor_email', sa.String(length=254), nullable=False),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['article_id'], ['articles.id'], name=op.f('fk_story_revisions_article_id_articles'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['editor_id'], ['users.id'], name=op.f('fk_story_revisions_editor_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_story_revisions')),
    sqlite_autoincrement=True,
    )
    op.create_index('ix_story_revisions_article', 'story_revisions', ['article_id', 'id'], unique=False)


def downgrade():
    # The earlier code knows no scheduled status: such stories wait as drafts.
    op.execute("UPDATE articles SET status = 'draft' WHERE status = 'scheduled'")
    op.drop_index('ix_story_revisions_article', table_name='story_revisions')
    op.drop_table('story_revisions')
    op.drop_index(op.f('ix_articles_top_until'), table_name='articles')
    op.drop_index('ix_articles_schedule', table_name='articles')
    for column in reversed(ARTICLE_COLUMNS):
        op.execute(f'ALTER TABLE articles DROP COLUMN {column.name}')
