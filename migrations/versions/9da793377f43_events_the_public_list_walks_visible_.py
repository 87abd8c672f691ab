"""The public event list walks the visible events in start order from the earliest one under way:
a partial index of visible events by (starts_on, id), and on PostgreSQL a GiST index of each
event's days as a range, which finds the events under way today without reading the coming ones.

Revision ID: 9da793377f43
Revises: 32da024f6f3b
Create Date: 2026-12-01 05:33:15.125377

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '9da793377f43'
down_revision = '32da024f6f3b'
branch_labels = None
depends_on = None

VISIBLE = sa.text("status IN ('published', 'cancelled')")


def _postgresql() -> bool:
    return op.get_context().dialect.name == "postgresql"


def upgrade():
    op.create_index('ix_events_visible_starts_on', 'events', ['starts_on', 'id'], unique=False,
                    postgresql_where=VISIBLE, sqlite_where=VISIBLE)
    if _postgresql():
        op.create_index('ix_events_days', 'events', [sa.literal_column("daterange(starts_on, ends_on, '[]')")],
                        unique=False, postgresql_using='gist')


def downgrade():
    if _postgresql():
        op.drop_index('ix_events_days', table_name='events')
    op.drop_index('ix_events_visible_starts_on', table_name='events')
