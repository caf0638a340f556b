"""Readers' error reports ("Report an error" under each story), listed on the desk.

Revision ID: f6c3a8d1e9b4
Revises: e2b9c7d5a4f1
Create Date: 2026-12-03

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'f6c3a8d1e9b4'
down_revision = 'e2b9c7d5a4f1'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('error_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('article_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.ForeignKeyConstraint(['article_id'], ['articles.id'], name=op.f('fk_error_reports_article_id_articles'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_error_reports')),
    sqlite_autoincrement=True,
    )
    with op.batch_alter_table('error_reports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_error_reports_article_id'), ['article_id'], unique=False)


def downgrade():
    with op.batch_alter_table('error_reports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_error_reports_article_id'))
    op.drop_table('error_reports')
