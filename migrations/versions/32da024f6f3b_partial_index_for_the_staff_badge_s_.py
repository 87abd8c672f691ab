"""partial index for the staff badge's failed emails

The navigation bar's "emails failing" badge, on every staff page, counts the office's messages
that failed in the last 7 days. A country's week holds thousands: a partial index on (office,
last attempt) of the failed messages alone lets PostgreSQL count them from the index.

Revision ID: 32da024f6f3b
Revises: c5c440ef4477
Create Date: 2026-12-01 02:22:32.125788

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '32da024f6f3b'
down_revision = 'c5c440ef4477'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_messages_failed', ['office_id', 'next_attempt_at'], unique=False, postgresql_where=sa.text("status = 'failed'"), sqlite_where=sa.text("status = 'failed'"))


def downgrade():
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_messages_failed', postgresql_where=sa.text("status = 'failed'"), sqlite_where=sa.text("status = 'failed'"))
