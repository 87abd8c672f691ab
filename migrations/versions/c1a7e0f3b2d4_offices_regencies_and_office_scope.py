"""offices, provinces and regencies; the settings row becomes the first office, which every
district, cooperative, event, staff account and audit entry joins

Revision ID: c1a7e0f3b2d4
Revises: c41d7e9a2b5f
Create Date: 2026-11-30 15:10:00

"""
from datetime import UTC, datetime

from alembic import op
import sqlalchemy as sa

import portal.database


revision = 'c1a7e0f3b2d4'
down_revision = 'c41d7e9a2b5f'
branch_labels = None
depends_on = None

PROVINCE = "Nusa Tenggara Timur"
DEFAULTS = {
    "office_name": "Dinas Perindustrian, Perdagangan, Koperasi dan UKM",
    "parent_body": "Pemerintah Kabupaten Kupang",
    "address": "Jl. Timor Raya, Oelamasi, Kecamatan Kupang Timur, Kabupaten Kupang, Nusa Tenggara Timur",
    "phone": None, "email": None, "city": "Oelamasi", "logo": None, "logo_mimetype": None,
    "signatory_name": "Kepala Dinas",
    "signatory_title": "Kepala Dinas Perindustrian, Perdagangan, Koperasi dan UKM Kabupaten Kupang",
    "signatory_nip": None, "letter_number_pattern": "{seq:03d}/DISKOP/{roman_month}/{year}",
}
SETTINGS = list(DEFAULTS)


def _foreign_keys(on: bool):
    """SQLite rebuilds a table to change it, and dropping districts, cooperatives or events would
    empty the rows that refer to them: the rebuild runs with foreign keys off (a pragma that only
    takes effect between transactions), and the keys are checked before they are on again."""
    conn = op.get_bind()
    if conn.dialect.name != "sqlite":
        return
    if on:
        broken = conn.exec_driver_sql("PRAGMA foreign_key_check").all()
        assert not broken, broken
    conn.exec_driver_sql("COMMIT")
    conn.exec_driver_sql(f"PRAGMA foreign_keys = {'ON' if on else 'OFF'}")
    conn.exec_driver_sql("BEGIN")


def upgrade():
    _foreign_keys(False)
    op.create_table('provinces',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_provinces')),
    sa.UniqueConstraint('name', name=op.f('uq_provinces_name'))
    )
    op.create_table('regencies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('province_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['province_id'], ['provinces.id'], name=op.f('fk_regencies_province_id_provinces')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_regencies')),
    sa.UniqueConstraint('name', name=op.f('uq_regencies_name'))
    )
    op.create_index(op.f('ix_regencies_province_id'), 'regencies', ['province_id'], unique=False)
    op.create_table('offices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('office_name', sa.String(length=200), nullable=False),
    sa.Column('parent_body', sa.String(length=200), nullable=False),
    sa.Column('address', sa.Text(), nullable=False),
    sa.Column('phone', sa.String(length=40), nullable=True),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('city', sa.String(length=80), nullable=False),
    sa.Column('logo', sa.LargeBinary(), nullable=True),
    sa.Column('logo_mimetype', sa.String(length=40), nullable=True),
    sa.Column('signatory_name', sa.String(length=120), nullable=False),
    sa.Column('signatory_title', sa.String(length=200), nullable=False),
    sa.Column('signatory_nip', sa.String(length=18), nullable=True),
    sa.Column('letter_number_pattern', sa.String(length=120), nullable=False),
    sa.Column('timezone', sa.String(length=40), nullable=True),
    sa.Column('province_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', portal.database.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['province_id'], ['provinces.id'], name=op.f('fk_offices_province_id_provinces')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_offices'))
    )
    op.create_index(op.f('ix_offices_province_id'), 'offices', ['province_id'], unique=False)
    op.create_table('office_regencies',
    sa.Column('office_id', sa.Integer(), nullable=False),
    sa.Column('regency_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['office_id'], ['offices.id'], name=op.f('fk_office_regencies_office_id_offices'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['regency_id'], ['regencies.id'], name=op.f('fk_office_regencies_regency_id_regencies')),
    sa.PrimaryKeyConstraint('office_id', 'regency_id', name=op.f('pk_office_regencies')),
    sa.UniqueConstraint('regency_id', name=op.f('uq_office_regencies_regency_id'))
    )

    conn = op.get_bind()
    # The places: every regency the districts name, in Nusa Tenggara Timur.
    province_id = conn.execute(sa.text("INSERT INTO provinces (name) VALUES (:name) RETURNING id"),
                               {"name": PROVINCE}).scalar_one()
    names = [row[0] for row in conn.execute(sa.text("SELECT DISTINCT regency FROM districts ORDER BY regency"))]
    for name in names or ["Kabupaten Kupang"]:
        conn.execute(sa.text("INSERT INTO regencies (name, province_id) VALUES (:name, :province)"),
                     {"name": name, "province": province_id})

    # The settings row (or, where it was never written, today's defaults) becomes the first office.
    row = conn.execute(sa.text(f"SELECT {', '.join(SETTINGS)} FROM office_settings ORDER BY id LIMIT 1")).mappings().first()
    values = dict(row) if row else dict(DEFAULTS)
    values["timezone"] = None  # the first office follows PORTAL_TIMEZONE, as the portal did
    values["updated_at"] = datetime.now(UTC) if conn.dialect.name != "sqlite" else datetime.now(UTC).replace(tzinfo=None)
    columns = [*SETTINGS, "timezone", "updated_at"]
    office_id = conn.execute(sa.text(
        f"INSERT INTO offices ({', '.join(columns)}) VALUES ({', '.join(':' + c for c in columns)}) RETURNING id"),
        values).scalar_one()
    conn.execute(sa.text("INSERT INTO office_regencies (office_id, regency_id) SELECT :office, id FROM regencies"),
                 {"office": office_id})

    with op.batch_alter_table('districts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('regency_id', sa.Integer(), nullable=True))
    conn.execute(sa.text("UPDATE districts SET regency_id = (SELECT r.id FROM regencies r WHERE r.name = districts.regency)"))
    with op.batch_alter_table('districts', schema=None) as batch_op:
        batch_op.alter_column('regency_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_constraint('uq_districts_regency_name', type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_districts_regency_id_name'), ['regency_id', 'name'])
        batch_op.create_foreign_key(batch_op.f('fk_districts_regency_id_regencies'), 'regencies', ['regency_id'], ['id'])
        batch_op.drop_column('regency')

    for table, index, columns in (("cooperatives", "ix_cooperatives_office_status", ["office_id", "status"]),
                                  ("events", "ix_events_office_starts_on", ["office_id", "starts_on"])):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('office_id', sa.Integer(), nullable=True))
        conn.execute(sa.text(f"UPDATE {table} SET office_id = :office"), {"office": office_id})
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column('office_id', existing_type=sa.Integer(), nullable=False)
            batch_op.create_index(index, columns, unique=False)
            batch_op.create_foreign_key(batch_op.f(f'fk_{table}_office_id_offices'), 'offices', ['office_id'], ['id'])

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('office_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_users_office_id'), ['office_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_users_office_id_offices'), 'offices', ['office_id'], ['id'])
    conn.execute(sa.text("UPDATE users SET office_id = :office WHERE role IN ('admin', 'organiser')"),
                 {"office": office_id})

    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('office_id', sa.Integer(), nullable=True))
        batch_op.create_index('ix_audit_entries_office_created_at_id', ['office_id', 'created_at', 'id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_audit_entries_office_id_offices'), 'offices', ['office_id'], ['id'],
                                    ondelete='SET NULL')
    conn.execute(sa.text("UPDATE audit_entries SET office_id = :office"), {"office": office_id})

    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('office_id', sa.Integer(), nullable=True))
        batch_op.create_index('ix_outbox_messages_office_created', ['office_id', 'created_at', 'id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_outbox_messages_office_id_offices'), 'offices', ['office_id'],
                                    ['id'], ondelete='SET NULL')
    conn.execute(sa.text("UPDATE outbox_messages SET office_id = :office"), {"office": office_id})

    # Letter numbers: the first office continues the count it had.
    sequences = conn.execute(sa.text("SELECT year, last_number FROM letter_sequences")).all()
    op.drop_table('letter_sequences')
    op.create_table('letter_sequences',
    sa.Column('office_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('last_number', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['office_id'], ['offices.id'], name=op.f('fk_letter_sequences_office_id_offices'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('office_id', 'year', name=op.f('pk_letter_sequences'))
    )
    for year, last_number in sequences:
        conn.execute(sa.text("INSERT INTO letter_sequences (office_id, year, last_number) VALUES (:o, :y, :n)"),
                     {"o": office_id, "y": year, "n": last_number})

    op.drop_table('office_settings')
    _foreign_keys(True)


def downgrade():
    _foreign_keys(False)
    op.create_table('office_settings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('office_name', sa.String(length=200), nullable=False),
    sa.Column('parent_body', sa.String(length=200), nullable=False),
    sa.Column('address', sa.Text(), nullable=False),
    sa.Column('phone', sa.String(length=40), nullable=True),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('city', sa.String(length=80), nullable=False),
    sa.Column('logo', sa.LargeBinary(), nullable=True),
    sa.Column('logo_mimetype', sa.String(length=40), nullable=True),
    sa.Column('signatory_name', sa.String(length=120), nullable=False),
    sa.Column('signatory_title', sa.String(length=200), nullable=False),
    sa.Column('signatory_nip', sa.String(length=18), nullable=True),
    sa.Column('letter_number_pattern', sa.String(length=120), nullable=False),
    sa.Column('updated_at', portal.database.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_office_settings'))
    )
    conn = op.get_bind()
    first = conn.execute(sa.text("SELECT min(id) FROM offices")).scalar()
    conn.execute(sa.text(f"INSERT INTO office_settings (id, {', '.join(SETTINGS)}, updated_at) "
                         f"SELECT 1, {', '.join(SETTINGS)}, updated_at FROM offices WHERE id = :first"), {"first": first})
    sequences = conn.execute(sa.text("SELECT year, last_number FROM letter_sequences WHERE office_id = :first"),
                             {"first": first}).all()
    op.drop_table('letter_sequences')
    op.create_table('letter_sequences',
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('last_number', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('year', name=op.f('pk_letter_sequences'))
    )
    for year, last_number in sequences:
        conn.execute(sa.text("INSERT INTO letter_sequences (year, last_number) VALUES (:y, :n)"),
                     {"y": year, "n": last_number})

    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_outbox_messages_office_id_offices'), type_='foreignkey')
        batch_op.drop_index('ix_outbox_messages_office_created')
        batch_op.drop_column('office_id')
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_audit_entries_office_id_offices'), type_='foreignkey')
        batch_op.drop_index('ix_audit_entries_office_created_at_id')
        batch_op.drop_column('office_id')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_users_office_id_offices'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_users_office_id'))
        batch_op.drop_column('office_id')
    for table, index in (("cooperatives", "ix_cooperatives_office_status"), ("events", "ix_events_office_starts_on")):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f(f'fk_{table}_office_id_offices'), type_='foreignkey')
            batch_op.drop_index(index)
            batch_op.drop_column('office_id')

    with op.batch_alter_table('districts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('regency', sa.String(length=80), nullable=True))
    conn.execute(sa.text("UPDATE districts SET regency = (SELECT r.name FROM regencies r WHERE r.id = districts.regency_id)"))
    with op.batch_alter_table('districts', schema=None) as batch_op:
        batch_op.alter_column('regency', existing_type=sa.String(length=80), nullable=False)
        batch_op.drop_constraint(batch_op.f('fk_districts_regency_id_regencies'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_districts_regency_id_name'), type_='unique')
        batch_op.create_unique_constraint('uq_districts_regency_name', ['regency', 'name'])
        batch_op.drop_column('regency_id')

    op.drop_table('office_regencies')
    op.drop_index(op.f('ix_offices_province_id'), table_name='offices')
    op.drop_table('offices')
    op.drop_index(op.f('ix_regencies_province_id'), table_name='regencies')
    op.drop_table('regencies')
    op.drop_table("provinces")
