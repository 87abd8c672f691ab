"""invitations keep their guest's name as a sort key

Each invitation keeps its guest's name as shown (the cooperative's or the organisation's), in
lower case, and an index on (event, that name, id): the organisers' tab reads one page of an
event's invitations in order from the index instead of sorting all of them. The invitations
already made take their guest's name here. On PostgreSQL the index on (event, answer) also
carries the message counts, so the tab's counts read it alone.

Revision ID: 8078e1b0b259
Revises: 83dbad853a9c
Create Date: 2026-11-30 23:03:11.172087

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '8078e1b0b259'
down_revision = '83dbad853a9c'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sort_name', sa.String(length=200), nullable=True))
    _name_existing_invitations()
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.alter_column('sort_name', existing_type=sa.String(length=200), nullable=False)
        batch_op.create_index('ix_invitations_event_sort_name', ['event_id', 'sort_name', 'id'], unique=False)
    _event_answer_index(COUNTS)


def _name_existing_invitations():
    """One statement: the cooperative's name through its primary key, else the organisation's."""
    cooperatives = sa.table("cooperatives", sa.column("id"), sa.column("name"))
    invitations = sa.table("invitations", sa.column("cooperative_id"), sa.column("organisation_name"),
                           sa.column("sort_name"))
    name = sa.select(cooperatives.c.name).where(cooperatives.c.id == invitations.c.cooperative_id).scalar_subquery()
    op.execute(invitations.update().values(
        sort_name=sa.func.lower(sa.func.coalesce(name, invitations.c.organisation_name))))


COUNTS = ['messages_total', 'messages_sent', 'messages_pending', 'messages_failed']


def _event_answer_index(include):
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.drop_index('ix_invitations_event_answer')
        batch_op.create_index('ix_invitations_event_answer', ['event_id', 'answer'], unique=False,
                              postgresql_include=include)


def downgrade():
    _event_answer_index([])
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.drop_index('ix_invitations_event_sort_name')
        batch_op.drop_column('sort_name')
