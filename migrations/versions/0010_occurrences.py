"""every date of every event stored as a row

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 19:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'occurrences',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('original_start', sa.DateTime(timezone=True), nullable=False),
        sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('state', sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_occurrences_event_id_events'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_occurrences')),
        sa.UniqueConstraint('event_id', 'original_start', name=op.f('uq_occurrences_event_id_original_start')),
    )
    op.create_index('ix_occurrences_starts_at', 'occurrences', ['starts_at'], unique=False)
    op.create_index('ix_occurrences_event_id_starts_at', 'occurrences', ['event_id', 'starts_at'], unique=False)
    # The dates of the events there are, from their rules (the same code that keeps them after).
    from app.events.occurrences import rebuild

    rebuild(op.get_bind())


def downgrade():
    op.drop_index('ix_occurrences_event_id_starts_at', table_name='occurrences')
    op.drop_index('ix_occurrences_starts_at', table_name='occurrences')
    op.drop_table('occurrences')
