"""Events: a contact email, where replies to the event's emails go.

Revision ID: a3c6466b3e78
Revises: 9bb8ab4c2b42
Create Date: 2026-11-30 12:30:00

"""
import sqlalchemy as sa
from alembic import op

revision = "a3c6466b3e78"
down_revision = "9bb8ab4c2b42"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("events", sa.Column("contact_email", sa.String(length=254), nullable=True))


def downgrade():
    # Not in batch mode: on SQLite a batch rebuilds the table, and dropping the old events table
    # with foreign keys on would cascade to its sessions, guests and registrations.
    op.drop_column("events", "contact_email")
