"""a list mail's extra header fields (List-Unsubscribe), and the editable intro of a report

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03 18:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('outbox') as batch_op:
        batch_op.add_column(sa.Column('headers', sa.JSON(), nullable=True))
    op.create_table('report_intros',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('network_id', sa.Integer(), nullable=False),
    sa.Column('working_group_id', sa.Integer(), nullable=True),
    sa.Column('period', sa.String(length=40), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['network_id'], ['networks.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['working_group_id'], ['working_groups.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('network_id', 'working_group_id', 'period')
    )
    op.create_index('uq_report_intros_network', 'report_intros', ['network_id', 'period'], unique=True,
                    sqlite_where=sa.text('working_group_id IS NULL'),
                    postgresql_where=sa.text('working_group_id IS NULL'))


def downgrade():
    op.drop_index('uq_report_intros_network', table_name='report_intros')
    op.drop_table('report_intros')
    with op.batch_alter_table('outbox') as batch_op:
        batch_op.drop_column('headers')
