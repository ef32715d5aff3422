"""the feeds' content version

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 19:30:00

"""
import secrets

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    table = op.create_table(
        'content_versions',
        sa.Column('name', sa.String(length=40), nullable=False),
        sa.Column('token', sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint('name', name=op.f('pk_content_versions')),
    )
    # Random, as every later token: caches shared by several databases must not mix them up.
    op.bulk_insert(table, [{'name': 'feeds', 'token': secrets.token_hex(16)}])


def downgrade():
    op.drop_table('content_versions')
