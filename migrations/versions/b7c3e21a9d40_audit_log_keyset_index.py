"""audit log keyset index: (created_at, id) replaces created_at alone

Revision ID: b7c3e21a9d40
Revises: af72f33d4c03
Create Date: 2026-11-30 13:55:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = 'b7c3e21a9d40'
down_revision = 'af72f33d4c03'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.create_index('ix_audit_entries_created_at_id', ['created_at', 'id'], unique=False)
        batch_op.drop_index(batch_op.f('ix_audit_entries_created_at'))


def downgrade():
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_entries_created_at'), ['created_at'], unique=False)
        batch_op.drop_index('ix_audit_entries_created_at_id')
