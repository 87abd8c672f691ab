"""trigram indexes for cooperative search (PostgreSQL only)

The directory and the cooperative pickers search any part of a name (ILIKE) and any part of a
legal number's key (LIKE); on PostgreSQL both go through GIN trigram indexes (pg_trgm, a trusted
extension the database owner may create). On SQLite nothing changes: a regency's registry is
scanned fast enough, and the models declare these indexes for PostgreSQL alone.

Revision ID: 5e4432db9f64
Revises: c5ee459993b3
Create Date: 2026-11-30 12:34:13.163962

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '5e4432db9f64'
down_revision = 'c5ee459993b3'
branch_labels = None
depends_on = None


def _on_postgresql() -> bool:
    return op.get_context().dialect.name == "postgresql"


def upgrade():
    if not _on_postgresql():
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.create_index('ix_cooperatives_legal_number_key_trgm', 'cooperatives', ['legal_number_key'], unique=False,
                    postgresql_using='gin', postgresql_ops={'legal_number_key': 'gin_trgm_ops'})
    op.create_index('ix_cooperatives_name_trgm', 'cooperatives', ['name'], unique=False,
                    postgresql_using='gin', postgresql_ops={'name': 'gin_trgm_ops'})


def downgrade():
    if not _on_postgresql():
        return
    op.drop_index('ix_cooperatives_name_trgm', table_name='cooperatives')
    op.drop_index('ix_cooperatives_legal_number_key_trgm', table_name='cooperatives')
