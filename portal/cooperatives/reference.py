"""Reference data every database has: the districts (kecamatan) of Kabupaten Kupang.

The migration loads them; tests load them once per database and keep them between tests.
"""

from sqlalchemy import select

from portal.cooperatives.models import KUPANG_DISTRICTS, District
from portal.extensions import db

REFERENCE_TABLES = {"districts"}


def seed_reference_data() -> None:
    present = set(db.session.scalars(select(District.name)))
    db.session.add_all(District(name=name, regency="Kabupaten Kupang") for name in KUPANG_DISTRICTS
                       if name not in present)
    db.session.flush()
