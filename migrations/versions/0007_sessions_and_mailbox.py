"""sessions that end, a mailbox per network

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 10:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_version', sa.Integer(), server_default='0', nullable=False))

    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('network_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_outbox_network_id'), ['network_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_outbox_network_id_networks'), 'networks', ['network_id'], ['id'],
                                    ondelete='SET NULL')
    # Mails written before: their network is their event's.
    op.execute("UPDATE outbox SET network_id = (SELECT events.network_id FROM events WHERE events.id = outbox.event_id) "
               "WHERE event_id IS NOT NULL")


def downgrade():
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_outbox_network_id_networks'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_outbox_network_id'))
        batch_op.drop_column('network_id')

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('session_version')
