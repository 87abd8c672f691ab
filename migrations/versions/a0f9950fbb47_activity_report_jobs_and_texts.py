"""Laporan kegiatan: the texts per event (pendahuluan, penutup) and the document jobs the worker builds

Revision ID: a0f9950fbb47
Revises: 769e7e247c83
Create Date: 2026-11-30 19:25:50.304329

"""
from alembic import op
import sqlalchemy as sa

import portal.database


# revision identifiers, used by Alembic.
revision = 'a0f9950fbb47'
down_revision = '769e7e247c83'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('activity_report_jobs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=True),
    sa.Column('state', sa.Enum('queued', 'building', 'ready', 'failed', name='jobstate', native_enum=False, length=20), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('taken_at', portal.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('file_id', sa.Integer(), nullable=True),
    sa.Column('docx_file_id', sa.Integer(), nullable=True),
    sa.Column('error', sa.String(length=500), nullable=True),
    sa.Column('created_at', portal.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('finished_at', portal.database.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_activity_report_jobs_event_id_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['file_id'], ['stored_files.id'], name=op.f('fk_activity_report_jobs_file_id_stored_files'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['docx_file_id'], ['stored_files.id'], name=op.f('fk_activity_report_jobs_docx_file_id_stored_files'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'], name=op.f('fk_activity_report_jobs_requested_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_activity_report_jobs'))
    )
    with op.batch_alter_table('activity_report_jobs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_activity_report_jobs_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_activity_report_jobs_state'), ['state'], unique=False)

    op.create_table('activity_report_texts',
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('background', sa.Text(), nullable=False),
    sa.Column('legal_basis', sa.Text(), nullable=False),
    sa.Column('purpose', sa.Text(), nullable=False),
    sa.Column('conclusion', sa.Text(), nullable=False),
    sa.Column('updated_at', portal.database.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_activity_report_texts_event_id_events'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('event_id', name=op.f('pk_activity_report_texts'))
    )


def downgrade():
    op.drop_table('activity_report_texts')
    with op.batch_alter_table('activity_report_jobs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_activity_report_jobs_state'))
        batch_op.drop_index(batch_op.f('ix_activity_report_jobs_event_id'))

    op.drop_table('activity_report_jobs')
