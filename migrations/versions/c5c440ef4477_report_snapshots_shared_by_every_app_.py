"""report snapshots shared by every app server

A report's figures (and the home page's key figures) as last counted for one set of filters,
offices and language: every app server reads them, the worker counts them again while people
read them (portal/reports/snapshots.py). A new table; nothing moves.

Revision ID: c5c440ef4477
Revises: a374a2a1ed6d
Create Date: 2026-12-01 02:14:22.545282

"""
from alembic import op
import sqlalchemy as sa

import portal.database


# revision identifiers, used by Alembic.
revision = 'c5c440ef4477'
down_revision = 'a374a2a1ed6d'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('report_snapshots',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('report', sa.String(length=40), nullable=False),
    sa.Column('filters', sa.JSON(), nullable=False),
    sa.Column('locale', sa.String(length=10), nullable=False),
    sa.Column('reader_id', sa.Integer(), nullable=True),
    sa.Column('value', sa.JSON(), nullable=False),
    sa.Column('computed_at', portal.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('read_at', portal.database.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['reader_id'], ['users.id'], name=op.f('fk_report_snapshots_reader_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_snapshots')),
    sa.UniqueConstraint('key', name=op.f('uq_report_snapshots_key'))
    )
    with op.batch_alter_table('report_snapshots', schema=None) as batch_op:
        batch_op.create_index('ix_report_snapshots_computed_at', ['computed_at'], unique=False)


def downgrade():
    with op.batch_alter_table('report_snapshots', schema=None) as batch_op:
        batch_op.drop_index('ix_report_snapshots_computed_at')

    op.drop_table('report_snapshots')
