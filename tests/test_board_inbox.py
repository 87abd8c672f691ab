"""The board's inbox: everything its cooperative received, event by event (the invitation and its
answer, the people registered and their attendance, the certificates one by one or as one ZIP of
an event's); another cooperative's inbox and ZIP are a 404."""

import io
import zipfile
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from portal.attendance import services as attendance
from portal.certificates import services as certificates
from portal.certificates.models import Certificate
from portal.events import services as event_services
from portal.extensions import db
from portal.registrations import participants
from portal.registrations import services as registrations


@pytest.fixture
def two_trainings(finished_training, organiser):
    """Training one: three people of KSP Sehati, two qualify; training two: one person of another
    cooperative and one more of KSP Sehati, both qualify."""
    first = finished_training([["present", "present"], ["late", "present"], ["absent", None]],
                              title="Pelatihan Satu")
    second = finished_training([["present", "present"]], title="Pelatihan Dua", cooperative_name="KSP Lain",
                               complete=False)
    ours = participants.find_or_create_participant(None, first.cooperative, "Orang Sehati", "staff",
                                                   email="sehati@example.org")
    registration = registrations.register_guest(organiser, second.event.id, ours)
    for session in second.event.sessions:
        attendance.mark_attendance(organiser, registration.id, session.id, "present",
                                   session.starts_at + timedelta(minutes=5))
    event_services.complete_event(organiser, second.event)
    now = datetime.now(UTC)
    certificates.issue_certificates(organiser, first.event.id, now)
    certificates.issue_certificates(organiser, second.event.id, now)
    db.session.commit()
    return first, second


def _certificates(event, cooperative=None):
    return [c for c in db.session.scalars(select(Certificate).where(Certificate.event_id == event.id))
            if cooperative is None or c.registration.cooperative_id == cooperative.id]


def test_the_inbox_lists_invitations_registrations_and_certificates(client, login, two_trainings):
    first, second = two_trainings
    login(client, first.board)
    response = client.get("/my-cooperative/inbox")
    assert response.status_code == 302
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert html.count('data-testid="inbox-event"') == 2
    assert "Pelatihan Satu" in html and "Pelatihan Dua" in html
    assert html.count('data-testid="inbox-registration"') == 4  # three on the first, ours on the second
    assert html.count('data-testid="inbox-certificate"') == 3  # two of ours on the first, one on the second
    assert "Peserta 1" in html and "KSP Lain" not in html
    zip_link = f"/cooperatives/{first.cooperative.id}/events/{first.event.id}/certificates.zip"
    assert zip_link in html


def test_the_zip_holds_exactly_that_events_certificates_of_that_cooperative(client, login, two_trainings,
                                                                              organiser):
    first, second = two_trainings
    ours = _certificates(first.event, first.cooperative)
    assert len(ours) == 2
    login(client, first.board)
    response = client.get(f"/cooperatives/{first.cooperative.id}/events/{first.event.id}/certificates.zip")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    assert sorted(archive.namelist()) == sorted(f"sertifikat-{c.display_code}.pdf" for c in ours)
    assert all(archive.read(name).startswith(b"%PDF") for name in archive.namelist())
    # Training two: only KSP Sehati's one certificate, not KSP Lain's.
    response = client.get(f"/cooperatives/{first.cooperative.id}/events/{second.event.id}/certificates.zip")
    (ours_second,) = _certificates(second.event, first.cooperative)
    assert zipfile.ZipFile(io.BytesIO(response.data)).namelist() == [f"sertifikat-{ours_second.display_code}.pdf"]
    # A revoked certificate leaves the ZIP.
    certificates.revoke_certificate(organiser, ours[0], "Salah nama", datetime.now(UTC))
    db.session.commit()
    response = client.get(f"/cooperatives/{first.cooperative.id}/events/{first.event.id}/certificates.zip")
    assert zipfile.ZipFile(io.BytesIO(response.data)).namelist() == [f"sertifikat-{ours[1].display_code}.pdf"]


def test_another_cooperatives_inbox_and_zip_are_404(client, login, two_trainings):
    first, second = two_trainings
    login(client, first.board)
    assert client.get(f"/cooperatives/{second.cooperative.id}/inbox").status_code == 404
    assert client.get(f"/cooperatives/{second.cooperative.id}/events/{second.event.id}/certificates.zip"
                      ).status_code == 404


def test_the_office_reads_it_too_and_a_visitor_does_not(client, login, two_trainings, organiser):
    first, _ = two_trainings
    url = f"/cooperatives/{first.cooperative.id}/inbox"
    assert client.get(url).status_code in (302, 401, 403)
    login(client, organiser)
    assert client.get(url).status_code == 200


def test_a_page_of_events_in_a_fixed_number_of_queries(client, login, two_trainings, count_queries,
                                                        finished_training, organiser):
    first, _ = two_trainings
    login(client, first.board)
    url = f"/cooperatives/{first.cooperative.id}/inbox"
    client.get(url)
    with count_queries() as few:
        client.get(url)
    for n in range(3):
        other = finished_training([["present", "present"]], title=f"Pelatihan {n}", cooperative_name=f"KSP {n}",
                                  complete=False)
        person = participants.find_or_create_participant(None, first.cooperative, f"Orang {n}", "staff")
        registration = registrations.register_guest(organiser, other.event.id, person)
        for session in other.event.sessions:
            attendance.mark_attendance(organiser, registration.id, session.id, "present",
                                       session.starts_at + timedelta(minutes=5))
        event_services.complete_event(organiser, other.event)
        certificates.issue_certificates(organiser, other.event.id, datetime.now(UTC))
        db.session.commit()
    with count_queries() as more:
        html = client.get(url).get_data(as_text=True)
    assert html.count('data-testid="inbox-event"') == 5
    assert len(more) == len(few)
