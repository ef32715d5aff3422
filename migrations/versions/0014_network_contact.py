"""the coordination's public contact on the network's page

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 08:15:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('networks') as batch_op:
        batch_op.add_column(sa.Column('contact_name', sa.String(length=200), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('contact_email', sa.String(length=254), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('contact_phone', sa.String(length=50), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('website', sa.String(length=300), nullable=False, server_default=''))


def downgrade():
    with op.batch_alter_table('networks') as batch_op:
        for name in ('website', 'contact_phone', 'contact_email', 'contact_name'):
            batch_op.drop_column(name)
