"""RAT records: a board submits its own cooperative's, the office verifies or records it;
last_rat_year is derived from verified records; every bad input is refused beside its field."""

import io
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from portal.accounts.models import Role
from portal.audit.models import AuditEntry
from portal.cooperatives.models import CooperativeStatus
from portal.errors import RuleViolation
from portal.extensions import db
from portal.files.models import StoredFile
from portal.revival import services
from portal.revival.models import RatRecord, RatStatus
from tests.files_samples import TEXT_AS_PDF, jpeg_with_exif, pdf_bytes

TODAY = date(2026, 4, 10)
HELD = {"book_year": 2025, "is_held": True, "held_on": date(2026, 3, 14), "members_present": 40,
        "members_total": 55, "place": "Aula Desa Oelnasi", "is_reported_to_ods": True}


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_board_submits_its_rat_and_an_organiser_verifies_it(make_cooperative, make_board_user, make_user):
    cooperative = make_cooperative(status=CooperativeStatus.INACTIVE, last_rat_year=None)
    board, organiser = make_board_user(cooperative), make_user(Role.ORGANISER)
    record = services.save_rat(board, cooperative, HELD, TODAY, document=("ba.pdf", pdf_bytes()))
    assert record.status == RatStatus.SUBMITTED and record.document.content_type == "application/pdf"
    assert cooperative.last_rat_year is None
    services.verify_rat(organiser, record)
    assert record.status == RatStatus.VERIFIED and record.verified_by_id == organiser.id
    assert cooperative.last_rat_year == 2025
    actions = db.session.scalars(select(AuditEntry.action).where(AuditEntry.action != "user.create")
                                 .order_by(AuditEntry.id)).all()
    assert actions == ["rat.save", "rat.verify", "cooperative.last_rat_year"]


def test_an_organiser_records_a_rat_directly_verified(make_cooperative, make_user):
    cooperative = make_cooperative()
    record = services.save_rat(make_user(Role.ORGANISER), cooperative, HELD, TODAY)
    assert record.status == RatStatus.VERIFIED and cooperative.last_rat_year == 2025


def test_last_rat_year_is_the_latest_verified_book_year_held(make_cooperative, make_board_user, make_user):
    cooperative = make_cooperative()
    organiser, board = make_user(Role.ORGANISER), make_board_user(cooperative)
    services.save_rat(organiser, cooperative, HELD | {"book_year": 2023, "held_on": date(2024, 3, 1)}, TODAY)
    services.save_rat(organiser, cooperative, {"book_year": 2024, "is_held": False}, TODAY)
    assert cooperative.last_rat_year == 2023
    services.save_rat(board, cooperative, HELD, TODAY, document=("ba.jpg", jpeg_with_exif()))
    assert cooperative.last_rat_year == 2023  # not verified yet
    services.verify_rat(organiser, services.rat_of(cooperative, 2025))
    assert cooperative.last_rat_year == 2025


def test_the_profile_form_no_longer_types_last_rat_year(make_cooperative, make_user):
    from portal.cooperatives.services import update_cooperative
    cooperative = make_cooperative(last_rat_year=2020)
    update_cooperative(make_user(Role.ORGANISER), cooperative, {"last_rat_year": 2025, "member_count": 9})
    assert (cooperative.last_rat_year, cooperative.member_count) == (2020, 9)


def test_a_board_cannot_change_a_verified_rat(make_cooperative, make_board_user, make_user):
    cooperative = make_cooperative()
    services.save_rat(make_user(Role.ORGANISER), cooperative, HELD, TODAY)
    with pytest.raises(RuleViolation) as refused:
        services.save_rat(make_board_user(cooperative), cooperative, HELD | {"members_present": 1}, TODAY,
                          document=("ba.pdf", pdf_bytes()))
    assert refused.value.field == "book_year"


@pytest.mark.parametrize(("change", "field"), [
    ({"held_on": date(2026, 4, 11)}, "held_on"),  # in the future
    ({"held_on": date(2009, 6, 1), "book_year": 2008}, "held_on"),  # before the legal date
    ({"held_on": date(2025, 12, 1)}, "held_on"),  # inside the book year itself
    ({"members_present": 56}, "members_present"),  # above the members
    ({"held_on": None}, "held_on"),
    ({"book_year": 2026}, "book_year"),  # a year that has not ended
])
def test_bad_input_is_refused_beside_its_field_and_nothing_is_stored(app, make_cooperative, make_board_user, change,
                                                                     field):
    cooperative = make_cooperative(legal_date=date(2010, 1, 5))
    board = make_board_user(cooperative)
    with app.test_request_context(headers={"Accept-Language": "id"}), pytest.raises(RuleViolation) as refused:
        services.save_rat(board, cooperative, HELD | change, TODAY, document=("ba.pdf", pdf_bytes()))
    db.session.rollback()
    assert refused.value.field == field
    assert (_count(RatRecord), _count(StoredFile)) == (0, 0)


def test_a_non_pdf_renamed_pdf_is_refused_and_nothing_is_stored(app, make_cooperative, make_board_user):
    cooperative = make_cooperative()
    with app.test_request_context(headers={"Accept-Language": "id"}), pytest.raises(RuleViolation) as refused:
        services.save_rat(make_board_user(cooperative), cooperative, HELD, TODAY, document=("ba.pdf", TEXT_AS_PDF))
    db.session.rollback()
    assert refused.value.field == "document" and "PDF" in refused.value.message
    assert (_count(RatRecord), _count(StoredFile)) == (0, 0)


def test_a_board_member_cannot_record_another_cooperatives_rat(make_cooperative, make_board_user):
    mine, theirs = make_cooperative(), make_cooperative()
    with pytest.raises(RuleViolation) as refused:
        services.save_rat(make_board_user(mine), theirs, HELD, TODAY, document=("ba.pdf", pdf_bytes()))
    assert refused.value.field == "cooperative"
    assert _count(RatRecord) == 0


def test_a_boards_held_rat_needs_its_document(make_cooperative, make_board_user):
    cooperative = make_cooperative()
    with pytest.raises(RuleViolation) as refused:
        services.save_rat(make_board_user(cooperative), cooperative, HELD, TODAY)
    assert refused.value.field == "document"


# Through the web

def _post_rat(client, cooperative, data, upload=None):
    form = {key: ("y" if value is True else "" if value is False else str(value)) for key, value in data.items()
            if value is not None and value is not False}
    form["held_on"] = data["held_on"].isoformat() if data.get("held_on") else ""
    if upload is not None:
        form["document"] = (io.BytesIO(upload[1]), upload[0])
    return client.post(f"/cooperatives/{cooperative.id}/rat", data=form, content_type="multipart/form-data")


@pytest.mark.app_config(PORTAL_CLOCK=lambda: datetime(2026, 4, 10, 2, tzinfo=UTC))
def test_the_board_uploads_from_its_page_and_the_refusal_shows_in_indonesian(client, login, make_cooperative,
                                                                              make_board_user):
    cooperative = make_cooperative()
    login(client, make_board_user(cooperative))
    page = _post_rat(client, cooperative, HELD | {"members_present": 90}, ("ba.pdf", pdf_bytes()))
    assert page.status_code == 200
    assert "Anggota yang hadir (90) lebih banyak daripada anggota koperasi (55)." in page.text
    page = _post_rat(client, cooperative, HELD, ("ba.pdf", TEXT_AS_PDF))
    assert "PDF, JPEG, atau PNG" in page.text
    assert _count(RatRecord) == 0
    done = _post_rat(client, cooperative, HELD, ("ba.pdf", pdf_bytes()))
    assert done.status_code == 302
    record = db.session.scalar(select(RatRecord))
    document = client.get(f"/rat/{record.id}/document")
    assert document.status_code == 200 and document.headers["Cache-Control"] == "no-store"
    assert document.headers["Content-Disposition"].startswith("attachment")


def test_another_cooperatives_board_sees_neither_the_form_nor_the_document(client, login, make_cooperative,
                                                                          make_board_user, make_user):
    mine, theirs = make_cooperative(), make_cooperative()
    record = services.save_rat(make_user(Role.ORGANISER), theirs, HELD, TODAY, document=("ba.pdf", pdf_bytes()))
    db.session.commit()
    login(client, make_board_user(mine))
    assert client.get(f"/cooperatives/{theirs.id}/rat").status_code == 404
    assert _post_rat(client, theirs, HELD | {"book_year": 2024}, ("ba.pdf", pdf_bytes())).status_code == 404
    assert client.get(f"/rat/{record.id}/document").status_code == 404
    assert client.post(f"/rat/{record.id}/verify").status_code == 403
    assert _count(RatRecord) == 1
