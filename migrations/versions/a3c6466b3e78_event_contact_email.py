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
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("contact_email", sa.String(length=254), nullable=True))


def downgrade():
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_column("contact_email")
