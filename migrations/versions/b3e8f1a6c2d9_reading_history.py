"""Reading history: the stories each signed-in reader opened (story_reads) and each of their
lists' top story at their last visit (list_visits), both deleted with the account or the story.

Revision ID: b3e8f1a6c2d9
Revises: a1d7f3c9e5b8
Create Date: 2026-12-04

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'b3e8f1a6c2d9'
down_revision = 'a1d7f3c9e5b8'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('story_reads',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('article_id', sa.Integer(), nullable=False),
    sa.Column('read_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['article_id'], ['articles.id'], name=op.f('fk_story_reads_article_id_articles'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_story_reads_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'article_id', name=op.f('pk_story_reads')),
    )
    op.create_index('ix_story_reads_user_recent', 'story_reads', ['user_id', 'read_at'], unique=False)
    op.create_table('list_visits',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('list_key', sa.String(length=130), nullable=False),
    sa.Column('top_article_id', sa.Integer(), nullable=False),
    sa.Column('visited_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['top_article_id'], ['articles.id'], name=op.f('fk_list_visits_top_article_id_articles'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_list_visits_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'list_key', name=op.f('pk_list_visits')),
    )
    op.create_index(op.f('ix_list_visits_top_article_id'), 'list_visits', ['top_article_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_list_visits_top_article_id'), table_name='list_visits')
    op.drop_table('list_visits')
    op.drop_index('ix_story_reads_user_recent', table_name='story_reads')
    op.drop_table('story_reads')
