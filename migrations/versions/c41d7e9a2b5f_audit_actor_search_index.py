"""a trigram index for the audit log's actor search (PostgreSQL only)

The log's actor filter finds any part of a name or address (ILIKE), through a GIN trigram index
(pg_trgm, already created for the cooperatives' search) instead of reading the whole log. On
SQLite nothing changes.

Revision ID: c41d7e9a2b5f
Revises: 0aafb8d3b013
Create Date: 2026-11-30 15:15:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'c41d7e9a2b5f'
down_revision = '0aafb8d3b013'
branch_labels = None
depends_on = None


def _on_postgresql() -> bool:
    return op.get_context().dialect.name == "postgresql"


def upgrade():
    if not _on_postgresql():
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.create_index('ix_audit_entries_actor_label_trgm', 'audit_entries', ['actor_label'], unique=False,
                    postgresql_using='gin', postgresql_ops={'actor_label': 'gin_trgm_ops'})


def downgrade():
    if not _on_postgresql():
        return
    op.drop_index('ix_audit_entries_actor_label_trgm', table_name='audit_entries')
