"""announcements on the network's public page

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-03 18:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('announcements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('network_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('text_language', sa.String(length=10), nullable=False),
    sa.Column('translations', sa.JSON(), server_default='{}', nullable=False),
    sa.Column('shows_from', sa.DateTime(timezone=True), nullable=False),
    sa.Column('shows_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('picture_hash', sa.String(length=32), nullable=True),
    sa.Column('picture_alt', sa.String(length=300), nullable=False),
    sa.Column('document_name', sa.String(length=200), nullable=False),
    sa.Column('document_size', sa.Integer(), nullable=False),
    sa.Column('document', sa.LargeBinary(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['network_id'], ['networks.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['picture_hash'], ['pictures.hash'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_announcements_network_shows_from', 'announcements', ['network_id', 'shows_from'],
                    unique=False)
    op.create_index(op.f('ix_announcements_picture_hash'), 'announcements', ['picture_hash'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_announcements_picture_hash'), table_name='announcements')
    op.drop_index('ix_announcements_network_shows_from', table_name='announcements')
    op.drop_table('announcements')
