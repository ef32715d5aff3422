"""date polls

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03 14:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('polls',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('network_id', sa.Integer(), nullable=False),
    sa.Column('working_group_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('venue_name', sa.String(length=200), nullable=False),
    sa.Column('venue_address', sa.String(length=300), nullable=False),
    sa.Column('online_url', sa.String(length=500), nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('deadline', sa.DateTime(timezone=True), nullable=False),
    sa.Column('allow_maybe', sa.Boolean(), nullable=False),
    sa.Column('hide_results', sa.Boolean(), nullable=False),
    sa.Column('open_link', sa.Boolean(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('salt', sa.String(length=32), nullable=False),
    sa.Column('open_token_hash', sa.String(length=64), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('deadline_reminded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('retention_days', sa.Integer(), nullable=False),
    sa.Column('purged_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_polls_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_polls_event_id_events'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['network_id'], ['networks.id'], name=op.f('fk_polls_network_id_networks'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['working_group_id'], ['working_groups.id'], name=op.f('fk_polls_working_group_id_working_groups'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_polls')),
    sa.UniqueConstraint('open_token_hash', name=op.f('uq_polls_open_token_hash'))
    )
    with op.batch_alter_table('polls', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_polls_network_id'), ['network_id'], unique=False)

    op.create_table('poll_options',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('poll_id', sa.Integer(), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('all_day', sa.Boolean(), nullable=False),
    sa.Column('chosen', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['poll_id'], ['polls.id'], name=op.f('fk_poll_options_poll_id_polls'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_poll_options')),
    sa.UniqueConstraint('poll_id', 'starts_at', 'ends_at', name=op.f('uq_poll_options_poll_id_starts_at_ends_at'))
    )
    with op.batch_alter_table('poll_options', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_poll_options_poll_id'), ['poll_id'], unique=False)

    op.create_table('poll_participants',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('poll_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=True),
    sa.Column('salt', sa.String(length=32), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('holds_hash', sa.String(length=64), nullable=False),
    sa.Column('required', sa.Boolean(), nullable=False),
    sa.Column('invited', sa.Boolean(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reminded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('language', sa.String(length=10), nullable=True),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_poll_participants_organization_id_organizations'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['poll_id'], ['polls.id'], name=op.f('fk_poll_participants_poll_id_polls'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_poll_participants')),
    sa.UniqueConstraint('holds_hash', name=op.f('uq_poll_participants_holds_hash')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_poll_participants_token_hash'))
    )
    with op.batch_alter_table('poll_participants', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_poll_participants_poll_id'), ['poll_id'], unique=False)
        batch_op.create_index('uq_poll_participants_email', ['poll_id', 'email'], unique=True, sqlite_where=sa.text("email != ''"), postgresql_where=sa.text("email != ''"))

    op.create_table('poll_answers',
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('option_id', sa.Integer(), nullable=False),
    sa.Column('poll_id', sa.Integer(), nullable=False),
    sa.Column('answer', sa.String(length=10), nullable=False),
    sa.ForeignKeyConstraint(['option_id'], ['poll_options.id'], name=op.f('fk_poll_answers_option_id_poll_options'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['participant_id'], ['poll_participants.id'], name=op.f('fk_poll_answers_participant_id_poll_participants'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['poll_id'], ['polls.id'], name=op.f('fk_poll_answers_poll_id_polls'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('participant_id', 'option_id', name=op.f('pk_poll_answers'))
    )
    with op.batch_alter_table('poll_answers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_poll_answers_option_id'), ['option_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_poll_answers_poll_id'), ['poll_id'], unique=False)



def downgrade():
    with op.batch_alter_table('poll_answers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_poll_answers_poll_id'))
        batch_op.drop_index(batch_op.f('ix_poll_answers_option_id'))

    op.drop_table('poll_answers')
    with op.batch_alter_table('poll_participants', schema=None) as batch_op:
        batch_op.drop_index('uq_poll_participants_email', sqlite_where=sa.text("email != ''"), postgresql_where=sa.text("email != ''"))
        batch_op.drop_index(batch_op.f('ix_poll_participants_poll_id'))

    op.drop_table('poll_participants')
    with op.batch_alter_table('poll_options', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_poll_options_poll_id'))

    op.drop_table('poll_options')
    with op.batch_alter_table('polls', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_polls_network_id'))

    op.drop_table('polls')
