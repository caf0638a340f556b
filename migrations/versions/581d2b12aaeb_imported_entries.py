"""Imported entries: the source entry's id, original author and time on articles.

Revision ID: 581d2b12aaeb
Revises: f94a3a75215e
Create Date: 2026-11-25

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '581d2b12aaeb'
down_revision = 'f94a3a75215e'
branch_labels = None
depends_on = None


def upgrade():

    with op.batch_alter_table('articles', schema=None) as batch_op:
        batch_op.add_column(sa.Column('source_guid', sa.String(length=2000), nullable=True))
        batch_op.add_column(sa.Column('source_author', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('source_published_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_articles_source_guid'), ['source_guid'])




def downgrade():

    with op.batch_alter_table('articles', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_articles_source_guid'), type_='unique')
        batch_op.drop_column('source_published_at')
        batch_op.drop_column('source_author')
        batch_op.drop_column('source_guid')


