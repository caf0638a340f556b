"""Corrections in public: when a story was last corrected, and the log of correction notes.

Revision ID: e2b9c7d5a4f1
Revises: d8a4b6e2c0f3
Create Date: 2026-12-03

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'e2b9c7d5a4f1'
down_revision = 'd8a4b6e2c0f3'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('articles', sa.Column('corrected_at', sa.DateTime(timezone=True), nullable=True))
    op.create_table('corrections',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('article_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['article_id'], ['articles.id'], name=op.f('fk_corrections_article_id_articles'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_corrections'))
    )
    with op.batch_alter_table('corrections', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_corrections_article_id'), ['article_id'], unique=False)


def downgrade():
    with op.batch_alter_table('corrections', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_corrections_article_id'))
    op.drop_table('corrections')
    op.execute('ALTER TABLE articles DROP COLUMN corrected_at')
