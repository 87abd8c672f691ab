"""reaches without email: the messages sent by WhatsApp to participants and cooperatives without an
address (a new table)

Revision ID: 5e7194d8e438
Revises: c1a7e0f3b2d4
Create Date: 2026-11-30 16:40:19.431878

"""
from alembic import op
import sqlalchemy as sa

import portal.database


# revision identifiers, used by Alembic.
revision = '5e7194d8e438'
down_revision = 'c1a7e0f3b2d4'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('reaches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=True),
    sa.Column('invitation_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.Enum('confirmation', 'reminder', 'schedule_change', 'certificate', 'invitation', 'names_owed', name='reachkind', native_enum=False, length=20), nullable=False),
    sa.Column('channel', sa.String(length=20), nullable=False),
    sa.Column('sent_by_id', sa.Integer(), nullable=True),
    sa.Column('sent_at', portal.database.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('(registration_id IS NULL) <> (invitation_id IS NULL)', name=op.f('ck_reaches_person_or_cooperative')),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_reaches_event_id_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['invitation_id'], ['invitations.id'], name=op.f('fk_reaches_invitation_id_invitations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['registration_id'], ['registrations.id'], name=op.f('fk_reaches_registration_id_registrations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['sent_by_id'], ['users.id'], name=op.f('fk_reaches_sent_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reaches'))
    )
    with op.batch_alter_table('reaches', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reaches_event_id'), ['event_id'], unique=False)
        batch_op.create_index('ix_reaches_invitation_kind', ['invitation_id', 'kind'], unique=False)
        batch_op.create_index('ix_reaches_registration_kind', ['registration_id', 'kind'], unique=False)



def downgrade():
    with op.batch_alter_table('reaches', schema=None) as batch_op:
        batch_op.drop_index('ix_reaches_registration_kind')
        batch_op.drop_index('ix_reaches_invitation_kind')
        batch_op.drop_index(batch_op.f('ix_reaches_event_id'))

    op.drop_table('reaches')
