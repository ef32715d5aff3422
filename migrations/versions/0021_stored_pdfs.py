"""PDFs laid out by the worker and stored by the hash of their HTML (reports, newsletter)

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-04 16:50:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('stored_pdfs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('html', sa.Text(), nullable=True),
    sa.Column('tagged', sa.Boolean(), nullable=False),
    sa.Column('pdf', sa.LargeBinary(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('built_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('lease_until', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('digest')
    )
    op.create_index('ix_stored_pdfs_created_at', 'stored_pdfs', ['created_at'])


def downgrade():
    op.drop_index('ix_stored_pdfs_created_at', table_name='stored_pdfs')
    op.drop_table('stored_pdfs')
