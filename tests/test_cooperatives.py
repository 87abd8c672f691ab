"""The registry: directory, profile edits, status, board list, and who may see what."""

from datetime import date

import pytest
import sqlalchemy as sa
from sqlalchemy import func, select

from portal.accounts.models import Role
from portal.audit.models import AuditEntry
from portal.cooperatives import services
from portal.cooperatives.demo import seed_cooperatives
from portal.cooperatives.models import (
    BoardAccountStatus,
    BoardMember,
    Cooperative,
    CooperativeStatus,
    CooperativeType,
    District,
)
from portal.errors import RuleViolation
from portal.extensions import db
from tests.html_forms import form_values


def _bulk_cooperatives(n, start=0):
    district_ids = db.session.scalars(select(District.id)).all()
    db.session.execute(sa.insert(Cooperative), [
        {"name": f"Koperasi Massal {i}", "legal_number": f"M-{i}", "legal_number_key": f"M-{i}",
         "type": CooperativeType.CONSUMER, "district_id": district_ids[i % len(district_ids)],
         "status": CooperativeStatus.ACTIVE if i % 3 else CooperativeStatus.INACTIVE}
        for i in range(start, start + n)])
    db.session.commit()


def test_demo_registry_counts_401_157_244_and_reseeding_adds_nothing(client, logged_in):
    assert seed_cooperatives(date(2022, 12, 31)) == 401
    assert seed_cooperatives(date(2022, 12, 31)) == 0
    db.session.commit()
    logged_in(Role.ORGANISER)
    page = client.get("/cooperatives/")
    counts = page.text.split('data-testid="status-counts"')[1].split("</form>")[0]
    for number in ("401", "157", "244"):
        assert f'<div class="fs-4 fw-semibold">{number}</div>' in counts
    districts = db.session.scalar(select(func.count(func.distinct(Cooperative.district_id))))
    assert districts == 24


def test_directory_filters_and_searches(client, logged_in, make_cooperative):
    logged_in(Role.ORGANISER)
    make_cooperative(name="KSP Cendana", district="Semau")
    make_cooperative(name="KSU Lontar", district="Takari", type=CooperativeType.MULTI_PURPOSE,
                     status=CooperativeStatus.INACTIVE, legal_number="AHU-1")
    semau = db.session.scalar(select(District.id).where(District.name == "Semau"))
    assert "KSU Lontar" not in client.get(f"/cooperatives/?district={semau}").text
    assert "KSP Cendana" not in client.get("/cooperatives/?status=inactive").text
    assert "KSP Cendana" not in client.get("/cooperatives/?type=multi_purpose").text
    found = client.get("/cooperatives/?q=ahu-1").text
    assert "KSU Lontar" in found and "KSP Cendana" not in found
    assert client.get("/cooperatives/?status=bogus&district=abc&sort=nope").status_code == 200


@pytest.mark.parametrize("sort", ["name", "district"])
def test_directory_issues_the_same_number_of_queries_for_50_and_5000(client, logged_in, count_queries, sort):
    logged_in(Role.ORGANISER)
    _bulk_cooperatives(50)
    with count_queries() as small:
        assert client.get(f"/cooperatives/?sort={sort}").status_code == 200
    _bulk_cooperatives(4950, start=50)
    with count_queries() as large:
        response = client.get(f"/cooperatives/?sort={sort}&page=3")
    assert response.status_code == 200 and "Koperasi Massal" in response.text
    assert len(large) == len(small), (small, large)


def test_create_edit_and_duplicate_legal_number(client, logged_in):
    logged_in(Role.ORGANISER)
    district = db.session.scalar(select(District.id).where(District.name == "Fatuleu"))
    data = {"name": "  KSP   Tunas  <b>Muda</b> ", "legal_number": "12/BH/XXIV/2001", "type": "savings_and_loan",
            "district_id": district, "phone": "0812 3456 7890", "member_count": "120"}
    response = client.post("/cooperatives/new", data=data)
    assert response.status_code == 302
    cooperative = db.session.scalar(select(Cooperative))
    assert cooperative.name == "KSP Tunas <b>Muda</b>" and cooperative.phone == "+6281234567890"
    page = client.get(f"/cooperatives/{cooperative.id}").text
    assert "&lt;b&gt;Muda&lt;/b&gt;" in page, "HTML in a name is shown as text"
    again = client.post("/cooperatives/new", data={**data, "legal_number": "12/bh/xxiv/2001 "})
    assert "Koperasi lain sudah memakai nomor badan hukum ini." in again.text
    bad = client.post("/cooperatives/new", data={**data, "legal_number": "99", "phone": "12", "member_count": "-3"})
    assert bad.status_code == 200 and bad.text.count("invalid-feedback") >= 2
    assert db.session.scalar(select(func.count(Cooperative.id))) == 1
    assert client.post(f"/cooperatives/{cooperative.id}/edit", data={**data, "member_count": "150"}).status_code == 302
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "cooperative.update"))
    assert entry.before == {"member_count": 120} and entry.after == {"member_count": 150}


def test_status_change_needs_a_reason_and_is_kept_in_history(app, make_user, make_cooperative):
    organiser = make_user(Role.ORGANISER)
    cooperative = make_cooperative()
    with pytest.raises(RuleViolation) as refused:
        services.set_status(organiser, cooperative, CooperativeStatus.INACTIVE, "  ", date(2023, 1, 5))
    assert refused.value.field == "reason"
    services.set_status(organiser, cooperative, CooperativeStatus.INACTIVE, "Tidak RAT sejak 2019", date(2023, 1, 5))
    db.session.commit()
    assert cooperative.status == CooperativeStatus.INACTIVE and cooperative.status_date == date(2023, 1, 5)
    assert [c.reason for c in cooperative.status_changes] == ["Tidak RAT sejak 2019"]
    assert db.session.scalar(select(AuditEntry.action).where(AuditEntry.action == "cooperative.set_status"))


def test_board_member_sees_and_edits_only_their_own_cooperative(app, client, login, make_cooperative,
                                                                make_board_user):
    mine, other = make_cooperative(name="KSP Milik Saya"), make_cooperative(name="KSP Orang Lain")
    user = make_board_user(mine)
    login(client, user)
    assert client.get("/my-cooperative").headers["Location"].endswith(f"/cooperatives/{mine.id}")
    assert "KSP Milik Saya" in client.get(f"/cooperatives/{mine.id}").text
    assert client.post(f"/cooperatives/{mine.id}/contacts",
                       data={"email": "baru@example.org", "phone": "081234567890"}).status_code == 302
    assert client.post(f"/cooperatives/{mine.id}/board/new",
                       data={"full_name": "Ruth Kolo", "position": "treasurer"}).status_code == 302
    other_member = other.board_members[0]
    for method, url, data in [
        ("get", f"/cooperatives/{other.id}", None),
        ("get", f"/cooperatives/{other.id}/contacts", None),
        ("post", f"/cooperatives/{other.id}/contacts", {"email": "pencuri@example.org"}),
        ("post", f"/cooperatives/{other.id}/board/new", {"full_name": "Penyusup", "position": "chair"}),
        ("post", f"/cooperatives/{other.id}/board/{other_member.id}", {"full_name": "X", "position": "chair"}),
        ("post", f"/cooperatives/{mine.id}/board/{other_member.id}", {"full_name": "X", "position": "chair"}),
        ("post", f"/cooperatives/{other.id}/board/{other_member.id}/delete", None),
    ]:
        assert getattr(client, method)(url, data=data).status_code == 404, url
    for url in ("/cooperatives/", f"/cooperatives/{mine.id}/edit", "/cooperatives/claims", "/cooperatives/import"):
        assert client.get(url).status_code == 403, url
    assert client.post(f"/cooperatives/{other.id}/status", data={"status": "inactive"}).status_code == 403
    db.session.expire_all()
    assert other.email is None and [m.full_name for m in other.board_members] == ["Yohanes Bani"]
    assert mine.email == "baru@example.org" and mine.phone == "+6281234567890"
    assert db.session.scalar(select(func.count(BoardMember.id)).where(BoardMember.cooperative_id == mine.id)) == 2


@pytest.mark.parametrize("status", [BoardAccountStatus.PENDING, BoardAccountStatus.REJECTED,
                                    BoardAccountStatus.REVOKED])
def test_an_unapproved_board_account_sees_nothing_of_the_cooperative(client, login, make_cooperative,
                                                                     make_board_user, status):
    cooperative = make_cooperative()
    login(client, make_board_user(cooperative, status=status))
    assert client.get(f"/cooperatives/{cooperative.id}").status_code == 404
    assert client.post(f"/cooperatives/{cooperative.id}/contacts", data={"email": "x@example.org"}).status_code == 404
    assert client.get("/my-cooperative").status_code == 200


def test_saving_the_same_status_again_adds_no_history_line(app, make_user, make_cooperative):
    organiser = make_user(Role.ORGANISER)
    cooperative = make_cooperative()
    services.set_status(organiser, cooperative, CooperativeStatus.INACTIVE, "Tidak RAT sejak 2019", date(2023, 1, 5))
    db.session.commit()
    same = services.set_status(organiser, cooperative, CooperativeStatus.INACTIVE, "Tidak RAT sejak 2019",
                               date(2024, 2, 1))
    corrected = services.set_status(organiser, cooperative, CooperativeStatus.INACTIVE, "Tidak RAT sejak 2018",
                                    date(2024, 2, 1))
    db.session.commit()
    db.session.expire_all()
    assert [c.status for c in cooperative.status_changes] == [CooperativeStatus.INACTIVE]
    assert cooperative.status_reason == "Tidak RAT sejak 2018", "the reason is corrected in place"
    assert cooperative.status_changes[0].reason == "Tidak RAT sejak 2018"
    assert cooperative.status_date == date(2023, 1, 5), "inactive since the change, not since the save"
    assert (same, corrected) == (None, "reason")


def test_the_status_form_saved_unchanged_adds_no_history_line(client, login, make_user, make_cooperative):
    cooperative = make_cooperative()
    login(client, make_user(Role.ORGANISER))
    values = form_values(client.get(f"/cooperatives/{cooperative.id}").text, "status-form")
    for _again in range(2):
        page = client.post(f"/cooperatives/{cooperative.id}/status", data={**values, "reason": "Sudah RAT 2025"},
                           follow_redirects=True)
        assert 'data-testid="confirm"' not in page.text, "the same status asks nothing"
    db.session.expire_all()
    assert len(cooperative.status_changes) == 0 and cooperative.status == CooperativeStatus.ACTIVE


def test_the_cooperative_page_names_a_board_account_s_state_in_indonesian(client, login, make_user,
                                                                         make_cooperative, make_board_user):
    from portal.accounts.models import Role

    cooperative = make_cooperative()
    make_board_user(cooperative)
    login(client, make_user(Role.ORGANISER))
    page = client.get(f"/cooperatives/{cooperative.id}").get_data(as_text=True)
    assert "Disetujui" in page and ">approved<" not in page
