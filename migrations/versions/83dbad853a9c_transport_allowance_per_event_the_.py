"""Transport allowance per event, the scanned daftar hadir per session, stored files' content type widened

Revision ID: 83dbad853a9c
Revises: a0f9950fbb47
Create Date: 2026-11-30 22:34:23.721674

"""
from alembic import op
import sqlalchemy as sa

import portal.database


# revision identifiers, used by Alembic.
revision = '83dbad853a9c'
down_revision = 'a0f9950fbb47'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('session_sheet_scans',
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('file_id', sa.Integer(), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('uploaded_at', portal.database.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['file_id'], ['stored_files.id'], name=op.f('fk_session_sheet_scans_file_id_stored_files'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['session_id'], ['event_sessions.id'], name=op.f('fk_session_sheet_scans_session_id_event_sessions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_session_sheet_scans_uploaded_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('session_id', name=op.f('pk_session_sheet_scans'))
    )
    with op.batch_alter_table('activity_report_texts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('transport_amount', sa.Integer(), nullable=True))

    with op.batch_alter_table('stored_files', schema=None) as batch_op:
        batch_op.alter_column('content_type',
               existing_type=sa.VARCHAR(length=40),
               type_=sa.String(length=100),
               existing_nullable=False)



def downgrade():
    # A type longer than the old column (the .docx's) goes back to what was stored before.
    op.execute("UPDATE stored_files SET content_type = 'application/octet-stream' WHERE LENGTH(content_type) > 40")
    with op.batch_alter_table('stored_files', schema=None) as batch_op:
        batch_op.alter_column('content_type',
               existing_type=sa.String(length=100),
               type_=sa.VARCHAR(length=40),
               existing_nullable=False)

    with op.batch_alter_table('activity_report_texts', schema=None) as batch_op:
        batch_op.drop_column('transport_amount')

    op.drop_table('session_sheet_scans')
