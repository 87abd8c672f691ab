"""Who saw what (UU 27/2022): exports of personal data and API reads of people are recorded, and
administrators read the log of their own office only, a page at a constant cost."""

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from portal.accounts.models import Role
from portal.extensions import db
from portal.privacy.access import record_personal_data_access
from portal.privacy.models import AccessKind, PersonalDataAccess
from tests.api_fixtures import bearer


def _entries():
    db.session.commit()
    return list(db.session.scalars(sa.select(PersonalDataAccess).order_by(PersonalDataAccess.id)))


def test_an_export_of_registrations_is_recorded_with_who_what_and_how_many(client, login, organiser, training):
    t = training(people=3)
    login(client, organiser)
    assert client.get(f"/organiser/events/{t.event.id}/registrations.csv").status_code == 200
    assert client.get(f"/organiser/events/{t.event.id}/attendance.xlsx").status_code == 200
    entries = _entries()
    assert [(e.kind, e.subject, e.event_id, e.row_count, e.actor_id) for e in entries] == [
        (AccessKind.EXPORT, "registrations", t.event.id, 3, organiser.id),
        (AccessKind.EXPORT, "attendance", t.event.id, 3, organiser.id)]
    assert entries[0].label == t.event.title and entries[0].office_id == t.event.office_id


def test_the_turnout_export_is_recorded(client, login, organiser, training):
    t = training(people=2)
    login(client, organiser)
    assert client.get(f"/organiser/events/{t.event.id}/cooperatives.csv").status_code == 200
    assert [(e.subject, e.kind) for e in _entries()] == [("cooperatives", AccessKind.EXPORT)]


def test_an_api_read_of_registrations_is_recorded_with_the_page_size(client, organiser, training, api_token):
    t = training(people=3)
    headers = bearer(api_token(organiser))
    answer = client.get(f"/api/v1/events/{t.event.id}/registrations", query_string={"limit": 2}, headers=headers)
    assert answer.status_code == 200 and len(answer.json["items"]) == 2
    assert client.get(f"/api/v1/events/{t.event.id}/attendance", headers=headers).status_code == 200
    assert [(e.kind, e.subject, e.row_count) for e in _entries()] == [
        (AccessKind.API_READ, "api.registrations", 2), (AccessKind.API_READ, "api.attendance", 0)]


def test_a_refused_export_records_nothing(client, logged_in, training):
    t = training(people=1)
    logged_in(Role.BOARD)
    assert client.get(f"/organiser/events/{t.event.id}/registrations.csv").status_code == 403
    assert _entries() == []


def test_an_administrator_reads_their_office_log_and_not_another_offices(client, login, two_offices):
    kupang, south = two_offices
    for rows in (kupang, south):
        record_personal_data_access(rows.organiser, AccessKind.EXPORT, "registrations",
                                    label=f"Daftar {rows.marker}", row_count=7)
    db.session.commit()
    login(client, kupang.admin)
    page = client.get("/admin/privacy/access").text
    assert f"Daftar {kupang.marker}" in page and kupang.organiser.email in page
    assert south.marker not in page and south.organiser.email not in page


def test_organisers_and_boards_may_not_read_the_log(client, logged_in):
    logged_in(Role.ORGANISER)
    assert client.get("/admin/privacy/access").status_code == 403


def test_the_log_pages_by_keyset_at_a_constant_number_of_queries(app, client, logged_in, count_queries):
    admin = logged_in(Role.ADMIN)
    start = datetime(2026, 11, 1, tzinfo=UTC)

    def add(n):
        done = len(_entries())
        for i in range(done, done + n):
            record_personal_data_access(admin, AccessKind.EXPORT, "registrations", label=f"Daftar-{i:03d}",
                                        now=start + timedelta(minutes=i))
        db.session.commit()

    add(3)
    client.get("/admin/privacy/access")
    with count_queries() as few:
        assert client.get("/admin/privacy/access").status_code == 200
    add(60)
    with count_queries() as many:
        first = client.get("/admin/privacy/access").text
    assert len(many) == len(few)
    newest = _entries()[-1]
    assert "older=" in first
    older = first.split('older=')[1].split('"')[0].replace("%2B", "+").replace("%3A", ":").replace("%2C", ",")
    second = client.get("/admin/privacy/access", query_string={"older": older})
    body = second.text.split("<tbody>")[1].split("</tbody>")[0]
    assert second.status_code == 200 and newest.label not in body and "Daftar-037" in body
    assert client.get("/admin/privacy/access?older=nonsense").status_code == 200


def test_the_lists_staff_keep_are_recorded_when_exported(client, login, organiser, training):
    """The directory (cooperatives' contacts), an event's invitation tracking and the certificate
    register (issue 27's exports) each leave an entry."""
    t = training(people=2)
    login(client, organiser)
    assert client.get("/cooperatives/directory.csv").status_code == 200
    assert client.get(f"/organiser/events/{t.event.id}/invitations.xlsx").status_code == 200
    assert client.get("/organiser/certificates.csv").status_code == 200
    assert [(e.subject, e.kind, e.actor_id) for e in _entries()] == [
        ("directory", AccessKind.EXPORT, organiser.id), ("invitations", AccessKind.EXPORT, organiser.id),
        ("certificates", AccessKind.EXPORT, organiser.id)]


def test_the_log_names_what_was_handed_out_in_the_administrators_language(app, client, login, organiser, training,
                                                                          make_user):
    t = training(people=2)
    login(client, organiser)
    client.get(f"/organiser/events/{t.event.id}/attendance.csv")
    client.get(f"/organiser/events/{t.event.id}/cooperatives.csv")
    record_personal_data_access(organiser, AccessKind.API_READ, "api.registrations", event=t.event, row_count=2)
    db.session.commit()
    admin = app.test_client()
    login(admin, make_user(Role.ADMIN))
    page = admin.get("/admin/privacy/access").text
    assert "Ekspor" in page and "Kehadiran koperasi" in page and "Pendaftaran (API)" in page
    assert ">attendance" not in page and "api.registrations" not in page and ">cooperatives" not in page


def test_every_subject_the_portal_records_has_a_label():
    """A new export's subject names itself in ACCESS_SUBJECTS, or the log would show its key."""
    import pathlib
    import re

    from portal.privacy.models import ACCESS_SUBJECTS

    root = pathlib.Path(__file__).resolve().parent.parent / "portal"
    recorded = set()
    for path in root.rglob("*.py"):
        recorded |= set(re.findall(r'(?:log_access|record_personal_data_access)\([^,]+,\s*AccessKind\.\w+,\s*"([^"]+)"',
                                   path.read_text()))
    assert {"registrations", "attendance", "api.registrations", "directory"} <= recorded
    assert recorded <= set(ACCESS_SUBJECTS), recorded - set(ACCESS_SUBJECTS)
