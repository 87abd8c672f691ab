"""Kupang demo registry: 401 cooperatives across the 24 districts, 157 active and 244 inactive."""

import random
from datetime import date

from sqlalchemy import func, select

from portal.accounts.models import Role
from portal.accounts.services import create_user, find_user_by_email
from portal.cooperatives.models import (
    BoardAccount,
    BoardAccountStatus,
    BoardMember,
    BoardPosition,
    Cooperative,
    CooperativeStatus,
    CooperativeType,
    District,
    StatusChange,
)
from portal.cooperatives.services import legal_number_key
from portal.database import utcnow
from portal.extensions import db

TOTAL, ACTIVE = 401, 157
PREFIXES = {
    CooperativeType.SAVINGS_AND_LOAN: "KSP", CooperativeType.CONSUMER: "Koperasi Konsumen",
    CooperativeType.PRODUCER: "Koperasi Produsen", CooperativeType.MARKETING: "Koperasi Pemasaran",
    CooperativeType.SERVICES: "Koperasi Jasa", CooperativeType.MULTI_PURPOSE: "KSU",
}
WORDS = ["Cendana", "Lontar Jaya", "Sumber Rejeki", "Harapan Baru", "Flobamora", "Tunas Muda", "Nekaf Mese",
         "Sinar Timor", "Maju Bersama", "Karya Bakti", "Oemasi Makmur", "Tenun Ikat", "Pelita Kasih", "Jagung Emas",
         "Nelayan Bahari", "Mandiri Sejahtera", "Sehati", "Lopo Indah", "Bintang Timur", "Sasando"]
GIVEN = ["Yohanes", "Maria", "Petrus", "Yuliana", "Markus", "Ester", "Daniel", "Margaretha", "Simon", "Debora",
         "Kornelis", "Naomi", "Agustinus", "Selfina", "Obed", "Ruth", "Yakobus", "Martha", "Fransiskus", "Elisabeth"]
FAMILY = ["Bani", "Tefa", "Kolo", "Amalo", "Foenay", "Selan", "Neno", "Lakapu", "Tanone", "Nubatonis", "Sabuna",
          "Benu", "Faot", "Taneo", "Manu", "Leo", "Kase", "Baok", "Tafetin", "Nenobais"]
VILLAGES = ["Desa Oelnasi", "Desa Noelbaki", "Desa Tarus", "Desa Penfui Timur", "Desa Oebelo", "Desa Baumata",
            "Desa Oenesu", "Desa Sumlili", "Kelurahan Oelamasi", "Desa Camplong", "Desa Naibonat", "Desa Oesao"]
DEMO_BOARD_PASSWORD = "demo12345"  # noqa: S105 (printed for the demo on purpose)
DEMO_BOARD = {
    "approved": ("ketua@demo.portal-koperasi.example.org", "Yohanes Bani"),
    "pending": ("pengurus@demo.portal-koperasi.example.org", "Ester Tefa"),
}


def _person(rng: random.Random) -> str:
    return f"{rng.choice(GIVEN)} {rng.choice(FAMILY)}"


def seed_cooperatives(today: date) -> int:
    """Create the demo registry once; a second run finds it and adds nothing."""
    if db.session.scalar(select(func.count(Cooperative.id))) >= TOTAL:
        return 0
    rng = random.Random(2022)
    districts = list(db.session.scalars(select(District).order_by(District.name)))
    statuses = [CooperativeStatus.ACTIVE] * ACTIVE + [CooperativeStatus.INACTIVE] * (TOTAL - ACTIVE)
    rng.shuffle(statuses)
    cooperatives = []
    for n, status in enumerate(statuses, start=1):
        kind = rng.choice(list(CooperativeType))
        year = rng.randint(1975, 2021)
        legal_number = f"{n:03d}/BH/XXIV/{year}"
        name = f"{PREFIXES[kind]} {rng.choice(WORDS)} {n}"
        active = status == CooperativeStatus.ACTIVE
        last_rat = rng.randint(max(year, 2019), 2022) if active else rng.randint(min(year, 2018), 2018)
        slug = name.lower().replace(" ", "")[:18]
        cooperative = Cooperative(
            name=name, legal_number=legal_number, legal_number_key=legal_number_key(legal_number),
            legal_date=date(year, rng.randint(1, 12), rng.randint(1, 28)), type=kind,
            district=districts[(n - 1) % len(districts)], village=rng.choice(VILLAGES),
            member_count=rng.randint(20, 2500), last_rat_year=last_rat,
            email=f"{slug}{n}@example.org" if rng.random() < 0.7 else None,
            phone=f"+628{rng.randint(11, 59)}{rng.randint(1000000, 9999999)}" if rng.random() < 0.9 else None,
            status=status, status_date=date(2022, 12, 31),
            status_reason=None if active else f"Tidak menyelenggarakan RAT sejak {last_rat}",
        )
        cooperative.board_members = [BoardMember(full_name=_person(rng), position=position)
                                     for position in (BoardPosition.CHAIR, BoardPosition.SECRETARY,
                                                      BoardPosition.TREASURER, BoardPosition.SUPERVISOR)]
        cooperative.status_changes = [StatusChange(status=status, reason=cooperative.status_reason,
                                                   effective_date=cooperative.status_date)]
        cooperatives.append(cooperative)
    db.session.add_all(cooperatives)
    db.session.flush()
    return len(cooperatives)


def seed_board_accounts() -> list[tuple[str, str, str]]:
    """One approved and one pending board account, both with confirmed email."""
    active = list(db.session.scalars(select(Cooperative).where(Cooperative.status == CooperativeStatus.ACTIVE)
                                     .order_by(Cooperative.id).limit(2)))
    logins = []
    for (state, (email, name)), cooperative in zip(DEMO_BOARD.items(), active, strict=False):
        if find_user_by_email(email) is None:
            user = create_user(None, email, name, Role.BOARD, DEMO_BOARD_PASSWORD)
            user.email_verified_at = utcnow()
            db.session.add(BoardAccount(user=user, cooperative=cooperative, position=BoardPosition.CHAIR,
                                        status=BoardAccountStatus(state)))
        logins.append((f"board ({state})", email, cooperative.name))
    db.session.flush()
    return logins
