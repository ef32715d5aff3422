"""event pictures

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 07:55:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    # Content-addressed: the same upload is stored once, whichever event or submission shows it.
    op.create_table('pictures',
    sa.Column('hash', sa.String(length=32), nullable=False),
    sa.Column('width', sa.Integer(), nullable=False),
    sa.Column('height', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('hash', name=op.f('pk_pictures'))
    )
    op.create_table('picture_variants',
    sa.Column('hash', sa.String(length=32), nullable=False),
    sa.Column('width', sa.Integer(), nullable=False),
    sa.Column('height', sa.Integer(), nullable=False),
    sa.Column('mime', sa.String(length=20), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['hash'], ['pictures.hash'], name=op.f('fk_picture_variants_hash_pictures'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('hash', 'width', name=op.f('pk_picture_variants'))
    )
    op.create_table('event_pictures',
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('hash', sa.String(length=32), nullable=False),
    sa.Column('alt', sa.String(length=300), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_event_pictures_event_id_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['hash'], ['pictures.hash'], name=op.f('fk_event_pictures_hash_pictures')),
    sa.PrimaryKeyConstraint('event_id', name=op.f('pk_event_pictures'))
    )
    with op.batch_alter_table('event_pictures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_event_pictures_hash'), ['hash'], unique=False)
    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('picture_hash', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('picture_alt', sa.String(length=300), server_default='', nullable=False))
        batch_op.create_foreign_key(batch_op.f('fk_submissions_picture_hash_pictures'), 'pictures', ['picture_hash'], ['hash'])
        batch_op.create_index(batch_op.f('ix_submissions_picture_hash'), ['picture_hash'], unique=False)


def downgrade():
    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_submissions_picture_hash'))
        batch_op.drop_constraint(batch_op.f('fk_submissions_picture_hash_pictures'), type_='foreignkey')
        batch_op.drop_column('picture_alt')
        batch_op.drop_column('picture_hash')
    with op.batch_alter_table('event_pictures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_event_pictures_hash'))
    op.drop_table('event_pictures')
    op.drop_table('picture_variants')
    op.drop_table('pictures')
