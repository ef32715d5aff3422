"""the weekly digest: subscriptions and the digests sent

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-03 18:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade():
    pass  # TODO(helper): filled in by this package's work


def downgrade():
    pass
