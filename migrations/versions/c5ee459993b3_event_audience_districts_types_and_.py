"""event audience: districts, types and status combine

An event was open to one of: all cooperatives, active ones only, chosen districts, chosen types,
or its guest list. Now an open event ("all") is narrowed by a status (any, active, inactive),
its districts and its types together. Existing events keep exactly who they admitted:
active_only becomes all + active; districts and types become all with their lists. A district
or type list that was not in force (left over under another audience) is dropped first.

Downgrading keeps the narrowest old rule it can: districts, else types, else active only; a
combination, or "inactive only", cannot be told in the old terms and loses its other parts.

Revision ID: c5ee459993b3
Revises: 16918c26e245
Create Date: 2026-11-30 12:09:37.601074

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c5ee459993b3'
down_revision = '16918c26e245'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('audience_status', sa.Enum('any', 'active', 'inactive', name='audiencestatus',
                                                                 native_enum=False, length=20),
                                      server_default='any', nullable=False))

    op.execute("DELETE FROM event_audience_districts WHERE event_id IN "
               "(SELECT id FROM events WHERE audience <> 'districts')")
    op.execute("DELETE FROM event_audience_types WHERE event_id IN (SELECT id FROM events WHERE audience <> 'types')")
    op.execute("UPDATE events SET audience_status = 'active' WHERE audience = 'active_only'")
    op.execute("UPDATE events SET audience = 'all' WHERE audience IN ('active_only', 'districts', 'types')")


def downgrade():
    op.execute("UPDATE events SET audience = 'districts' WHERE audience = 'all' AND id IN "
               "(SELECT event_id FROM event_audience_districts)")
    op.execute("UPDATE events SET audience = 'types' WHERE audience = 'all' AND id IN "
               "(SELECT event_id FROM event_audience_types)")
    op.execute("UPDATE events SET audience = 'active_only' WHERE audience = 'all' AND audience_status = 'active'")
    op.execute("DELETE FROM event_audience_types WHERE event_id IN (SELECT id FROM events WHERE audience <> 'types')")

    # Not in batch mode: on SQLite a batch rebuilds the table, and dropping the old events table
    # with foreign keys on would cascade to sessions, guests and registrations. SQLite (3.35 and
    # later) drops a plain column in place.
    op.drop_column('events', 'audience_status')
