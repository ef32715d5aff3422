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
    op.create_table('digest_subscriptions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('network_id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('language', sa.String(length=10), nullable=False),
    sa.Column('wants_digest', sa.Boolean(), nullable=False),
    sa.Column('wants_newsletter', sa.Boolean(), nullable=False),
    sa.Column('group_ids', sa.JSON(), nullable=False),
    sa.Column('kind_ids', sa.JSON(), nullable=False),
    sa.Column('tag_ids', sa.JSON(), nullable=False),
    sa.Column('salt', sa.String(length=32), nullable=False),
    sa.Column('confirm_hash', sa.String(length=64), nullable=False),
    sa.Column('manage_hash', sa.String(length=64), nullable=False),
    sa.Column('unsubscribe_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('mailed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['network_id'], ['networks.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('network_id', 'email'),
    sa.UniqueConstraint('confirm_hash'),
    sa.UniqueConstraint('manage_hash'),
    sa.UniqueConstraint('unsubscribe_hash')
    )
    with op.batch_alter_table('digest_subscriptions') as batch_op:
        batch_op.create_index(batch_op.f('ix_digest_subscriptions_network_id'), ['network_id'], unique=False)
    op.create_table('digest_settings',
    sa.Column('network_id', sa.Integer(), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('weekday', sa.Integer(), nullable=False),
    sa.Column('hour', sa.Integer(), nullable=False),
    sa.Column('draft_intro', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['network_id'], ['networks.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('network_id')
    )
    op.create_table('digests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('network_id', sa.Integer(), nullable=False),
    sa.Column('week', sa.String(length=10), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('intro', sa.Text(), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('event_count', sa.Integer(), nullable=False),
    sa.Column('recipient_count', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['network_id'], ['networks.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('network_id', 'week')
    )
    with op.batch_alter_table('digests') as batch_op:
        batch_op.create_index(batch_op.f('ix_digests_network_id'), ['network_id'], unique=False)


def downgrade():
    op.drop_table('digests')
    op.drop_table('digest_settings')
    with op.batch_alter_table('digest_subscriptions') as batch_op:
        batch_op.drop_index(batch_op.f('ix_digest_subscriptions_network_id'))
    op.drop_table('digest_subscriptions')
