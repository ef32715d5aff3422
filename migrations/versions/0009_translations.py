"""organizers' texts in several languages

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 21:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

TABLES = {"events": "translations", "registration_questions": "translations",
          "registration_settings": "privacy_note_translations", "submissions": "translations"}


def upgrade():
    for table, column in TABLES.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column(column, sa.JSON(), server_default='{}', nullable=False))


def downgrade():
    for table, column in TABLES.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column(column)
