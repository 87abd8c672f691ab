"""stored files, RAT records and the contact log

The registry's typed ``last_rat_year`` becomes derived from verified RAT records: each
cooperative that has one gets a verified, held record of that book year (source "registry",
no date known), so the value every page shows stays what it was.

Revision ID: 3c6b104f4bfe
Revises: b7c3e21a9d40
Create Date: 2026-11-30 14:47:41.228916

"""
from alembic import op
import sqlalchemy as sa

import portal.database


# revision identifiers, used by Alembic.
revision = '3c6b104f4bfe'
down_revision = 'b7c3e21a9d40'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('stored_files',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('content_type', sa.String(length=40), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', portal.database.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_stored_files_uploaded_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stored_files'))
    )
    op.create_table('cooperative_contacts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cooperative_id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.Enum('phone', 'whatsapp', 'letter', 'email', 'visit', 'rat_attendance', name='contactchannel', native_enum=False, length=20), nullable=False),
    sa.Column('contacted_on', sa.Date(), nullable=False),
    sa.Column('officer_id', sa.Integer(), nullable=True),
    sa.Column('person', sa.String(length=120), nullable=True),
    sa.Column('outcome', sa.Text(), nullable=False),
    sa.Column('next_step', sa.String(length=255), nullable=True),
    sa.Column('next_step_due', sa.Date(), nullable=True),
    sa.Column('next_step_done_at', portal.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('letter_number', sa.String(length=80), nullable=True),
    sa.Column('campaign_year', sa.Integer(), nullable=True),
    sa.Column('created_at', portal.database.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['cooperative_id'], ['cooperatives.id'], name=op.f('fk_cooperative_contacts_cooperative_id_cooperatives'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['officer_id'], ['users.id'], name=op.f('fk_cooperative_contacts_officer_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cooperative_contacts'))
    )
    with op.batch_alter_table('cooperative_contacts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cooperative_contacts_cooperative_id'), ['cooperative_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cooperative_contacts_officer_id'), ['officer_id'], unique=False)
        batch_op.create_index('ix_cooperative_contacts_open_steps', ['next_step_done_at', 'next_step_due'], unique=False)

    op.create_table('rat_records',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cooperative_id', sa.Integer(), nullable=False),
    sa.Column('book_year', sa.Integer(), nullable=False),
    sa.Column('is_held', sa.Boolean(), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=True),
    sa.Column('members_present', sa.Integer(), nullable=True),
    sa.Column('members_total', sa.Integer(), nullable=True),
    sa.Column('place', sa.String(length=200), nullable=True),
    sa.Column('is_reported_to_ods', sa.Boolean(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.Enum('submitted', 'verified', name='ratstatus', native_enum=False, length=20), nullable=False),
    sa.Column('source', sa.Enum('board', 'office', 'import', 'registry', name='ratsource', native_enum=False, length=20), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', portal.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('verified_by_id', sa.Integer(), nullable=True),
    sa.Column('verified_at', portal.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('reactivation_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['cooperative_id'], ['cooperatives.id'], name=op.f('fk_rat_records_cooperative_id_cooperatives'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['document_id'], ['stored_files.id'], name=op.f('fk_rat_records_document_id_stored_files'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['reactivation_id'], ['cooperative_status_changes.id'], name=op.f('fk_rat_records_reactivation_id_cooperative_status_changes'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_rat_records_recorded_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['verified_by_id'], ['users.id'], name=op.f('fk_rat_records_verified_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rat_records')),
    sa.UniqueConstraint('cooperative_id', 'book_year', name=op.f('uq_rat_records_cooperative_id_book_year'))
    )
    with op.batch_alter_table('rat_records', schema=None) as batch_op:
        batch_op.create_index('ix_rat_records_book_year_status', ['book_year', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_rat_records_cooperative_id'), ['cooperative_id'], unique=False)

    op.execute(sa.text(
        "INSERT INTO rat_records (cooperative_id, book_year, is_held, is_reported_to_ods, status, source, recorded_at)"
        " SELECT id, last_rat_year, :yes, :no, 'verified', 'registry', CURRENT_TIMESTAMP FROM cooperatives"
        " WHERE last_rat_year IS NOT NULL").bindparams(yes=True, no=False))


def downgrade():
    with op.batch_alter_table('rat_records', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rat_records_cooperative_id'))
        batch_op.drop_index('ix_rat_records_book_year_status')

    op.drop_table('rat_records')
    with op.batch_alter_table('cooperative_contacts', schema=None) as batch_op:
        batch_op.drop_index('ix_cooperative_contacts_open_steps')
        batch_op.drop_index(batch_op.f('ix_cooperative_contacts_officer_id'))
        batch_op.drop_index(batch_op.f('ix_cooperative_contacts_cooperative_id'))

    op.drop_table('cooperative_contacts')
    op.drop_table('stored_files')
