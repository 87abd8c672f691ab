"""login session lifetimes: when each session was last seen, and whether remember-me was ticked

Existing sessions are taken as last seen when they began, and as not remembered.

Revision ID: 16918c26e245
Revises: 1b9f6e6c816e
Create Date: 2026-11-30 09:01:11.805682

"""
from alembic import op
import sqlalchemy as sa

import portal.database


# revision identifiers, used by Alembic.
revision = '16918c26e245'
down_revision = '1b9f6e6c816e'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('login_sessions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_seen_at', portal.database.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('is_remembered', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.create_index(batch_op.f('ix_login_sessions_ended_at'), ['ended_at'], unique=False)

    op.execute("UPDATE login_sessions SET last_seen_at = created_at")

    with op.batch_alter_table('login_sessions', schema=None) as batch_op:
        batch_op.alter_column('last_seen_at', existing_type=portal.database.UTCDateTime(timezone=True),
                              nullable=False)
        batch_op.alter_column('is_remembered', existing_type=sa.Boolean(), server_default=None)


def downgrade():
    with op.batch_alter_table('login_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_sessions_ended_at'))
        batch_op.drop_column('is_remembered')
        batch_op.drop_column('last_seen_at')
