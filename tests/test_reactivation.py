"""Status follows evidence: a verified recent RAT offers "aktifkan kembali" (a status change
linked to it, audited, asked first); the reverse list shows active cooperatives without one."""

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from portal.accounts.models import Role
from portal.audit.models import AuditEntry
from portal.cooperatives.models import CooperativeStatus
from portal.errors import RuleViolation
from portal.extensions import db
from portal.revival import queries, services

TODAY = date(2026, 4, 10)
CLOCK = pytest.mark.app_config(PORTAL_CLOCK=lambda: datetime(2026, 4, 10, 2, tzinfo=UTC))


def _rat(year, held_on=None):
    return {"book_year": year, "is_held": True, "held_on": held_on or date(year + 1, 3, 1), "members_present": 20,
            "members_total": 30, "place": "Oelamasi", "is_reported_to_ods": False}


def test_a_verified_recent_rat_offers_reactivation_and_nothing_changes_by_itself(make_cooperative, make_user):
    cooperative = make_cooperative(status=CooperativeStatus.INACTIVE, status_reason="Tidak RAT sejak 2018")
    record = services.save_rat(make_user(Role.ORGANISER), cooperative, _rat(2025), TODAY)
    assert services.reactivation_evidence(cooperative, TODAY) is record
    assert cooperative.status == CooperativeStatus.INACTIVE


def test_an_old_rat_offers_nothing(make_cooperative, make_user):
    cooperative = make_cooperative(status=CooperativeStatus.INACTIVE, status_reason="x")
    record = services.save_rat(make_user(Role.ORGANISER), cooperative, _rat(2022), TODAY)
    assert services.reactivation_evidence(cooperative, TODAY) is None
    with pytest.raises(RuleViolation):
        services.reactivate(make_user(Role.ORGANISER), record, TODAY)


def test_reactivation_is_a_status_change_linked_to_the_rat_and_audited(make_cooperative, make_user):
    organiser = make_user(Role.ORGANISER)
    cooperative = make_cooperative(status=CooperativeStatus.INACTIVE, status_reason="x")
    record = services.save_rat(organiser, cooperative, _rat(2025, date(2026, 3, 14)), TODAY)
    services.reactivate(organiser, record, TODAY)
    assert cooperative.status == CooperativeStatus.ACTIVE and cooperative.status_date == TODAY
    change = record.reactivation
    assert change.status == CooperativeStatus.ACTIVE and change.changed_by_id == organiser.id
    assert change.reason == "RAT tahun buku 2025 diselenggarakan 14/03/2026, terverifikasi"
    actions = set(db.session.scalars(select(AuditEntry.action)))
    assert {"cooperative.set_status", "rat.reactivate"} <= actions
    with pytest.raises(RuleViolation):  # active now: offered no more
        services.reactivate(organiser, record, TODAY)


def test_a_submitted_rat_offers_nothing_until_verified(make_cooperative, make_board_user):
    from tests.files_samples import pdf_bytes
    cooperative = make_cooperative(status=CooperativeStatus.INACTIVE, status_reason="x")
    services.save_rat(make_board_user(cooperative), cooperative, _rat(2025), TODAY, document=("a.pdf", pdf_bytes()))
    assert services.reactivation_evidence(cooperative, TODAY) is None


def test_the_reverse_list_shows_active_cooperatives_without_a_verified_rat_in_two_book_years(make_cooperative,
                                                                                           make_user):
    organiser = make_user(Role.ORGANISER)
    fresh, stale, never = make_cooperative(name="KSP Segar"), make_cooperative(name="KSP Lama"), make_cooperative(
        name="KSP Belum")
    make_cooperative(name="KSP Tidur", status=CooperativeStatus.INACTIVE, status_reason="x")
    services.save_rat(organiser, fresh, _rat(2024), TODAY)
    services.save_rat(organiser, stale, _rat(2023), TODAY)
    services.save_rat(organiser, never, {"book_year": 2025, "is_held": False}, TODAY)
    names = [c.name for c in db.session.scalars(queries.without_recent_rat_query(TODAY))]
    assert sorted(names) == ["KSP Belum", "KSP Lama"]


@CLOCK
def test_the_organiser_reactivates_through_a_confirm_page(client, logged_in, make_cooperative, make_user):
    organiser = logged_in(Role.ORGANISER)
    cooperative = make_cooperative(status=CooperativeStatus.INACTIVE, status_reason="x")
    record = services.save_rat(organiser, cooperative, _rat(2025), TODAY)
    db.session.commit()
    page = client.get(f"/cooperatives/{cooperative.id}")
    assert 'data-testid="reactivation-offer"' in page.text
    asked = client.post(f"/rat/{record.id}/reactivate")
    assert asked.status_code == 200 and 'data-testid="confirm"' in asked.text
    db.session.refresh(cooperative)
    assert cooperative.status == CooperativeStatus.INACTIVE
    done = client.post(f"/rat/{record.id}/reactivate", data={"confirmed": "1"})
    assert done.status_code == 302
    db.session.refresh(cooperative)
    assert cooperative.status == CooperativeStatus.ACTIVE
    assert 'data-testid="reactivation-offer"' not in client.get(f"/cooperatives/{cooperative.id}").text


@CLOCK
def test_a_board_member_cannot_reactivate_or_read_the_lists(client, logged_in, make_cooperative, make_board_user,
                                                            login, make_user):
    cooperative = make_cooperative(status=CooperativeStatus.INACTIVE, status_reason="x")
    record = services.save_rat(make_user(Role.ORGANISER), cooperative, _rat(2025), TODAY)
    db.session.commit()
    login(client, make_board_user(cooperative))
    assert client.post(f"/rat/{record.id}/reactivate", data={"confirmed": "1"}).status_code == 403
    assert client.get("/rat/at-risk").status_code == 403
    assert client.get("/rat/pending").status_code == 403
    assert 'data-testid="reactivation-offer"' not in client.get(f"/cooperatives/{cooperative.id}").text


@CLOCK
def test_the_follow_up_pages_list_at_a_constant_number_of_queries(client, logged_in, make_cooperative, count_queries,
                                                                  make_board_user):
    from tests.files_samples import pdf_bytes

    logged_in(Role.ORGANISER)
    make_cooperative()
    with count_queries() as few:
        assert client.get("/rat/at-risk").status_code == 200
    with count_queries() as few_pending:
        assert client.get("/rat/pending").status_code == 200
    for _n in range(30):
        make_cooperative()
    with count_queries() as many:
        assert client.get("/rat/at-risk").status_code == 200
    assert len(many) == len(few)
    board = make_board_user(cooperative := make_cooperative())
    for year in range(2000, 2010):
        services.save_rat(board, cooperative, _rat(year), TODAY, document=("a.pdf", pdf_bytes()))
    db.session.commit()
    with count_queries() as many_pending:
        page = client.get("/rat/pending")
    assert page.text.count("Tahun buku 20") == 10
    assert len(many_pending) == len(few_pending)
    in_semau = make_cooperative(name="KSP Pulau Semau", district="Semau")
    assert "KSP Pulau Semau" in client.get(f"/rat/at-risk?district={in_semau.district_id}").text
    assert "KSP Pulau Semau" not in client.get(f"/rat/at-risk?district={cooperative.district_id}").text


def test_a_rat_carried_over_from_the_registry_has_no_date_and_still_reactivates(make_cooperative, make_user):
    """The registry's "RAT Terakhir" becomes a verified record without a date: offered, and the
    reason says the book year alone (it once failed on the missing date)."""
    cooperative = make_cooperative(status=CooperativeStatus.INACTIVE, status_reason="x", last_rat_year=2025)
    services.record_registry_years([cooperative.id])
    record = services.reactivation_evidence(cooperative, TODAY)
    assert record is not None and record.held_on is None
    services.reactivate(make_user(Role.ORGANISER), record, TODAY)
    assert record.reactivation.reason == "RAT tahun buku 2025, terverifikasi"


def test_the_timeline_page_is_a_page_whatever_is_typed(make_cooperative):
    from portal.revival.timeline import cooperative_timeline

    cooperative = make_cooperative()
    for page in (-3, 0, 10**12):
        assert cooperative_timeline(cooperative.id, page).items == []
