"""National scale: search through indexes, counts that stop at a limit, bounded calendar feeds."""

import pytest
import sqlalchemy as sa

from portal.accounts.models import Role
from portal.cooperatives import services
from portal.cooperatives.models import CooperativeStatus
from portal.extensions import db


def test_legal_number_search_ignores_spaces_and_case(client, logged_in, make_cooperative):
    logged_in(Role.ORGANISER)
    make_cooperative(name="KSP Cendana", legal_number="AHU-0012345.AH.01.26 TAHUN 2019")
    make_cooperative(name="KSU Lontar", legal_number="AHU-0099999.AH.01.26 TAHUN 2019")
    found = client.get("/cooperatives/?q=0012345.ah.01.26tahun 2019").text
    assert "KSP Cendana" in found and "KSU Lontar" not in found


def test_name_search_finds_any_part_of_a_name_in_any_case(app, make_cooperative):
    make_cooperative(name="Koperasi Tani Makmur Oebelo")
    make_cooperative(name="KSP Cendana")
    names = [c.name for c in db.session.scalars(services.directory_query(search="makmur oeb"))]
    assert names == ["Koperasi Tani Makmur Oebelo"]


@pytest.mark.postgres
def test_directory_search_goes_through_trigram_indexes_on_postgresql(app, make_cooperative):
    make_cooperative(name="Koperasi Tani Makmur Oebelo")
    query = sa.select(sa.func.count()).select_from(
        services.directory_query(search="Oebelo").order_by(None).subquery())
    compiled = query.compile(db.engine, compile_kwargs={"literal_binds": True})
    db.session.execute(sa.text("SET LOCAL enable_seqscan = off"))
    db.session.execute(sa.text("SET LOCAL enable_indexscan = off"))  # a tiny table is cheapest read whole
    plan = "\n".join(db.session.scalars(sa.text("EXPLAIN " + str(compiled).replace("%%", "%"))))
    assert "ix_cooperatives_name_trgm" in plan and "ix_cooperatives_legal_number_key_trgm" in plan, plan


@pytest.mark.app_config(COUNT_LIMIT=5)
def test_directory_counts_stop_at_the_count_limit_and_say_more_than(client, logged_in, make_cooperative,
                                                                    count_queries):
    logged_in(Role.ORGANISER)
    for n in range(7):
        make_cooperative(name=f"KSP Hitung {n}")
    make_cooperative(name="KSU Sendiri", status=CooperativeStatus.INACTIVE)
    with count_queries() as statements:
        page = client.get("/cooperatives/").text
    badges = page[page.index('data-testid="status-counts"'):page.index('<form method="get"')]
    assert badges.count("lebih dari 5") == 2 and ">1</div>" in badges  # all and active; inactive exact
    assert "lebih dari 5 koperasi" in page.lower()
    counting = [s for s in statements if "count(" in s.lower()]
    assert counting and all("LIMIT" in s.upper() for s in counting), counting
    assert "KSP Hitung 0" in client.get("/cooperatives/?q=hitung").text


def test_directory_counts_below_the_limit_are_exact(client, logged_in, make_cooperative):
    logged_in(Role.ORGANISER)
    make_cooperative(name="KSP Cendana")
    make_cooperative(name="KSU Lontar", status=CooperativeStatus.INACTIVE)
    assert services.status_counts() == {"all": 2, "active": 1, "inactive": 1}
    assert services.status_counts(search="lontar") == {"all": 1, "active": 0, "inactive": 1}
