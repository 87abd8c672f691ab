"""Reference data every database has: the province of Nusa Tenggara Timur, Kabupaten Kupang and
its districts (kecamatan), and the first office, which covers Kupang.

The migrations load them; tests load them once per database and keep the places between tests
(the office is made again after each test empties the tables). ``flask load-districts`` loads
another regency's districts from a CSV (``load_districts``).
"""

import csv
import io

from sqlalchemy import select

from portal.cooperatives.models import KUPANG_DISTRICTS, District
from portal.extensions import db
from portal.offices.context import default_office
from portal.offices.models import Province, Regency

REFERENCE_TABLES = {"districts", "regencies", "provinces"}
KUPANG_PROVINCE = "Nusa Tenggara Timur"
KUPANG_REGENCY = "Kabupaten Kupang"


def regency_named(province: str, regency: str) -> Regency:
    """The regency of that name, made (with its province) when it is new."""
    found = db.session.scalar(select(Regency).where(Regency.name == regency))
    if found is not None:
        return found
    place = db.session.scalar(select(Province).where(Province.name == province))
    if place is None:
        place = Province(name=province)
        db.session.add(place)
    found = Regency(name=regency, province=place)
    db.session.add(found)
    db.session.flush()
    return found


def add_districts(regency: Regency, names) -> int:
    """Add the districts of ``regency`` it does not have yet; returns how many were added."""
    present = set(db.session.scalars(select(District.name).where(District.regency_id == regency.id)))
    new = sorted({name.strip() for name in names if name and name.strip()} - present)
    db.session.add_all(District(name=name, regency_id=regency.id) for name in new)
    db.session.flush()
    return len(new)


def load_districts(text: str) -> dict[str, int]:
    """Districts from a CSV with the columns ``province``, ``regency`` and ``district`` (``;`` or
    ``,``); returns how many each regency gained. Loading the same file again adds nothing."""
    dialect = csv.Sniffer().sniff(text.splitlines()[0] if text else ",", delimiters=";,")
    rows = list(csv.DictReader(io.StringIO(text), dialect=dialect))
    by_regency: dict[tuple[str, str], list[str]] = {}
    for row in rows:
        row = {(key or "").strip().lower(): (value or "").strip() for key, value in row.items()}
        if not row.get("regency") or not row.get("district"):
            raise ValueError(f"each row needs a regency and a district: {row}")
        by_regency.setdefault((row.get("province") or KUPANG_PROVINCE, row["regency"]), []).append(row["district"])
    return {regency: add_districts(regency_named(province, regency), names)
            for (province, regency), names in by_regency.items()}


def seed_reference_data() -> None:
    add_districts(regency_named(KUPANG_PROVINCE, KUPANG_REGENCY), KUPANG_DISTRICTS)
    default_office()
    db.session.flush()
