"""search indexes for cooperatives (PostgreSQL only)

The directory and the cooperative pickers search any part of a name (ILIKE), through a GIN
trigram index (pg_trgm, a trusted extension the database owner may create), and a legal number
from its start through its key (LIKE 'KEY%'), through a pattern-ops btree (the database's
collation is not C). On SQLite nothing changes: a regency's registry is scanned fast enough, and
the models declare these indexes for PostgreSQL alone.

Revision ID: 5e4432db9f64
Revises: a3c6466b3e78
Create Date: 2026-11-30 12:34:13.163962

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '5e4432db9f64'
down_revision = 'a3c6466b3e78'
branch_labels = None
depends_on = None


def _on_postgresql() -> bool:
    return op.get_context().dialect.name == "postgresql"


def upgrade():
    if not _on_postgresql():
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.create_index('ix_cooperatives_legal_number_key_prefix', 'cooperatives', ['legal_number_key'], unique=False,
                    postgresql_ops={'legal_number_key': 'varchar_pattern_ops'})
    op.create_index('ix_cooperatives_name_trgm', 'cooperatives', ['name'], unique=False,
                    postgresql_using='gin', postgresql_ops={'name': 'gin_trgm_ops'})


def downgrade():
    if not _on_postgresql():
        return
    op.drop_index('ix_cooperatives_name_trgm', table_name='cooperatives')
    op.drop_index('ix_cooperatives_legal_number_key_prefix', table_name='cooperatives')
