"""outbox indexes: the newest first, and messages retrying for long

The Email page lists the outbox newest first, and every staff page's badge counts messages that
have been retrying for over an hour; on a country's outbox (millions of rows) both read an index
instead of the table. The second is partial (only queued messages already tried), on SQLite and
PostgreSQL alike.

Revision ID: af72f33d4c03
Revises: 5e4432db9f64
Create Date: 2026-11-30 13:25:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'af72f33d4c03'
down_revision = '5e4432db9f64'
branch_labels = None
depends_on = None

RETRYING = "status = 'queued' AND attempts > 0"


def upgrade():
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_messages_created', ['created_at', 'id'], unique=False)
        batch_op.create_index('ix_outbox_messages_retrying', ['created_at'], unique=False,
                              postgresql_where=sa.text(RETRYING), sqlite_where=sa.text(RETRYING))


def downgrade():
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_messages_retrying')
        batch_op.drop_index('ix_outbox_messages_created')
