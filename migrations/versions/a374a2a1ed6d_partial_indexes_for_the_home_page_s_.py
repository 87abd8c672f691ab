"""partial indexes for the home page's waiting counts

"Sign-ups to approve" and "names owed by cooperatives that accepted" are counted on every
organiser's home page. A country holds hundreds of thousands of registrations and tens of
thousands of accepted invitations, of which a handful are pending or announced people: two
partial indexes hold just those, so the counts read a few rows.

Revision ID: a374a2a1ed6d
Revises: 8078e1b0b259
Create Date: 2026-12-01 01:58:58.044859

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a374a2a1ed6d'
down_revision = '8078e1b0b259'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.create_index('ix_invitations_names_expected', ['event_id'], unique=False, postgresql_where=sa.text("answer = 'accepted' AND attendee_count > 0"), sqlite_where=sa.text("answer = 'accepted' AND attendee_count > 0"))

    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.create_index('ix_registrations_pending', ['event_id'], unique=False, postgresql_where=sa.text("status = 'pending'"), sqlite_where=sa.text("status = 'pending'"))


def downgrade():
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.drop_index('ix_registrations_pending', postgresql_where=sa.text("status = 'pending'"), sqlite_where=sa.text("status = 'pending'"))

    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.drop_index('ix_invitations_names_expected', postgresql_where=sa.text("answer = 'accepted' AND attendee_count > 0"), sqlite_where=sa.text("answer = 'accepted' AND attendee_count > 0"))
