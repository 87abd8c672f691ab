"""A person's own data, end to end: the participant opens their ticket's data page, asks for erasure;
the office's organiser sees the request (another office's does not) and grants it; the person is
told by email; their name and contacts are gone, their counts stay, and their valid certificate
still answers its code with the name printed on it."""

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from portal.attendance import queries as attendance_queries
from portal.certificates.models import Certificate
from portal.extensions import db
from portal.mail.delivery import send_pending
from portal.privacy.models import DataRequest, DataRequestKind, DataRequestStatus
from portal.registrations.retention import ANONYMISED_NAME
from tests.conftest import csrf_token_from
from tests.test_mail import POLICY


def _post(client, url, **data):
    token = csrf_token_from(client.get(url).text)
    return client.post(url, data={"csrf_token": token, **data})


def _received(smtp, address):
    return [r for r in smtp.received if address in r.rcpt_tos]


def test_an_erasure_request_end_to_end(app, client, login, organiser, training, smtp):
    now = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)
    app.config["PORTAL_CLOCK"] = lambda: now
    t = training(people=2, days=1)
    registration = t.registrations[0]
    person = registration.participant
    address, name = person.email, person.full_name
    db.session.add(Certificate(registration_id=registration.id, event_id=t.event.id, full_name=name,
                               affiliation="Koperasi", sessions_attended=1, minutes_attended=180))
    db.session.commit()
    code = db.session.scalar(sa.select(Certificate.code))
    counts = attendance_queries.session_counts(t.event)[t.sessions[0].id].as_dict()

    url = f"/tickets/{registration.token}/my-data"
    assert f'href="{url}"' in client.get(f"/tickets/{registration.token}").text
    page = client.get(url).text
    assert name in page and address in page and "diverifikasi dengan kodenya" in page
    assert _post(client, url, kind="erasure", details="").status_code == 302
    request = db.session.scalar(sa.select(DataRequest))
    assert request.status == DataRequestStatus.OPEN and request.due_at == now + timedelta(hours=72)
    send_pending("test", policy=POLICY)
    assert "Kami menerima permintaan" in _received(smtp, address)[-1].body("plain")

    login(client, organiser)
    listing = client.get("/organiser/data-requests").text
    assert name in listing and "Penghapusan" in listing
    token = csrf_token_from(listing)
    done = client.post(f"/organiser/data-requests/{request.id}/grant", data={"csrf_token": token,
                                                                          "answer": "Sudah dihapus."})
    assert done.status_code == 302
    db.session.expire_all()
    assert person.full_name == ANONYMISED_NAME and person.email is None and person.anonymised_at is not None
    assert request.status == DataRequestStatus.DONE and request.person_label == ANONYMISED_NAME
    assert attendance_queries.session_counts(t.event)[t.sessions[0].id].as_dict() == counts
    verified = client.get(f"/certificates/{code}")
    assert verified.status_code == 200 and name in verified.text
    send_pending("test", policy=POLICY)
    told = _received(smtp, address)[-1].body("plain")
    assert "Sudah dihapus." in told and "tetap dapat diverifikasi" in told
    again = client.post(f"/organiser/data-requests/{request.id}/grant", data={"csrf_token": token})
    assert again.status_code == 302  # refused with a message: already answered
    db.session.expire_all()
    assert request.decided_by_id == organiser.id


def test_another_offices_organiser_neither_sees_nor_answers_the_request(client, login, two_offices):
    kupang, south = two_offices
    from portal.certificates.data_requests import request_about
    from portal.registrations.models import Registration

    registration = db.session.get(Registration, kupang.ids["registration_id"])
    request = request_about(None, registration.participant, DataRequestKind.ERASURE, None, datetime.now(UTC))
    db.session.commit()
    login(client, south.organiser)
    assert kupang.marker not in client.get("/organiser/data-requests").text
    token = csrf_token_from(client.get("/organiser/data-requests").text)
    assert client.post(f"/organiser/data-requests/{request.id}/grant", data={"csrf_token": token}).status_code == 404


def test_a_correction_needs_details_and_a_refusal_a_reason(client, training):
    t = training(people=1)
    url = f"/tickets/{t.registrations[0].token}/my-data"
    answer = _post(client, url, kind="correction", details="  ")
    assert answer.status_code == 200 and "invalid-feedback" in answer.text or "Sebutkan" in answer.text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(DataRequest)) == 0


def test_a_board_member_sees_their_cooperatives_person_and_not_anothers(app, client, login, training, board_of):
    t = training(people=1)
    person = t.registrations[0].participant
    login(client, t.board)
    url = f"/cooperatives/{t.cooperative.id}/people/{person.id}/data"
    assert client.get(url).status_code == 200
    _other_cooperative, other_board = board_of(name="Koperasi Lain")
    stranger = app.test_client()
    login(stranger, other_board)
    assert stranger.get(url).status_code in (403, 404)


def test_the_board_reaches_each_persons_data_page_from_its_cooperatives_pages(app, client, login, training,
                                                                               board_of):
    t = training(people=2)
    person = t.registrations[0].participant
    data_url = f"/cooperatives/{t.cooperative.id}/people/{person.id}/data"
    people_url = f"/cooperatives/{t.cooperative.id}/people"
    login(client, t.board)
    assert f'href="{people_url}"' in client.get(f"/cooperatives/{t.cooperative.id}").text
    listing = client.get(people_url)
    assert listing.status_code == 200 and f'href="{data_url}"' in listing.text and person.full_name in listing.text
    assert f'href="{data_url}"' in client.get("/my-cooperative/events").text
    page = client.get(data_url)
    assert page.status_code == 200 and person.full_name in page.text and 'value="correction"' in page.text

    _other, other_board = board_of(name="Koperasi Lain")
    stranger = app.test_client()
    login(stranger, other_board)
    assert stranger.get(people_url).status_code in (403, 404)
    assert stranger.get(data_url).status_code in (403, 404)
    token = csrf_token_from(stranger.get(f"/cooperatives/{_other.id}").text)
    refused = stranger.post(data_url, data={"csrf_token": token, "kind": "erasure", "details": ""})
    assert refused.status_code in (403, 404)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(DataRequest)) == 0


def test_a_correction_request_applied_by_the_organiser_end_to_end(app, client, login, organiser, training, smtp):
    from portal.audit.models import AuditEntry
    from portal.registrations.models import ParticipantPosition

    now = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)
    app.config["PORTAL_CLOCK"] = lambda: now
    t = training(people=2)
    registration = t.registrations[0]
    person, neighbour = registration.participant, t.registrations[1].participant
    address = person.email
    url = f"/tickets/{registration.token}/my-data"
    asked = _post(client, url, kind="correction", details="Nama saya Maria Goreti Bria, HP 0812 3456 7890")
    assert asked.status_code == 302
    request = db.session.scalar(sa.select(DataRequest))

    login(client, organiser)
    listing = client.get("/organiser/data-requests").text
    correct_url = f"/organiser/data-requests/{request.id}/correct"
    assert f'href="{correct_url}"' in listing
    page = client.get(correct_url)
    assert page.status_code == 200 and "Maria Goreti Bria" in page.text and f'value="{address}"' in page.text
    assert f'<option selected value="{person.position.value}">' in page.text
    token = csrf_token_from(page.text)
    values = {"csrf_token": token, "full_name": "Maria Goreti Bria", "position": "member", "sex": "female",
              "email": address, "phone": "0812 3456 7890", "answer": "Nama dan nomor HP sudah diperbaiki."}

    # Checked as the person's details are anywhere: beside the field, in Indonesian, nothing changed.
    for bad, field_text in (({"full_name": "  "}, "wajib diisi"), ({"email": "bukan-surel"}, "email tidak valid"),
                            ({"email": neighbour.email}, "orang lain")):
        refused = client.post(correct_url, data={**values, **bad})
        assert refused.status_code == 400 and "invalid-feedback" in refused.text, bad
        assert field_text in refused.text.lower(), bad
        db.session.expire_all()
        assert request.status == DataRequestStatus.OPEN and person.full_name != "Maria Goreti Bria"

    done = client.post(correct_url, data=values)
    assert done.status_code == 302 and done.headers["Location"].endswith("/organiser/data-requests")
    db.session.expire_all()
    assert person.full_name == "Maria Goreti Bria" and person.position == ParticipantPosition.MEMBER
    assert person.phone == "0812 3456 7890" and person.phone_key == "6281234567890" and person.sex.value == "female"
    assert request.status == DataRequestStatus.DONE and request.decided_by_id == organiser.id
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "privacy.corrected"))
    assert entry is not None and entry.actor_id == organiser.id and "Maria Goreti Bria" in str(entry.after)
    send_pending("test", policy=POLICY)
    told = _received(smtp, address)[-1].body("plain")
    assert "Nama dan nomor HP sudah diperbaiki." in told and "Maria Goreti Bria" in told
    assert client.post(correct_url, data=values).status_code == 400  # already answered: said, nothing changed


def test_only_a_correction_request_opens_the_correction_page(client, login, organiser, training):
    from portal.certificates.data_requests import request_about

    t = training(people=1)
    request = request_about(None, t.registrations[0].participant, DataRequestKind.ERASURE, None, datetime.now(UTC))
    db.session.commit()
    login(client, organiser)
    assert client.get(f"/organiser/data-requests/{request.id}/correct").status_code == 404
