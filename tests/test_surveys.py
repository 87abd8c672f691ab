"""The evaluation: one answer per registration (personal token or typed ticket code), anonymous
by default, ratings 1-5 only, results computed by hand on a fixture, the office's form."""

import pytest
from sqlalchemy import func, select

from portal.certificates import services as certificates
from portal.database import utcnow
from portal.errors import RuleViolation
from portal.extensions import db
from portal.mail.models import OutboxMessage
from portal.surveys import results, services
from portal.surveys.models import SurveyAnswered, SurveyResponse
from tests.certificate_fixtures import PAST_DAY

ALL_PRESENT = ["present", "present", "present"]


def answer(client, registration, ratings, **extra):
    data = {f"rating_{n}": str(value) for n, value in enumerate(ratings)} | extra
    return client.post(f"/evaluasi/{services.answer_token(registration)}", data=data)


def test_a_completed_training_opens_its_evaluation_from_the_office_form(finished_training):
    t = finished_training([ALL_PRESENT])
    survey = services.survey_of(t.event.id)
    assert survey is not None and survey.is_anonymous and survey.is_open
    assert survey.ratings == ["Materi pelatihan", "Fasilitator / narasumber", "Tempat dan sarana", "Penyelenggaraan"]


def test_one_answer_per_token(client, finished_training):
    t = finished_training([ALL_PRESENT])
    [registration] = t.registrations
    assert answer(client, registration, [5, 4, 3, 4], comment="Bagus").status_code == 302
    second = answer(client, registration, [1, 1, 1, 1], comment="Lagi")
    assert second.status_code == 200 and 'data-testid="survey-closed"' in second.text
    assert db.session.scalar(select(func.count()).select_from(SurveyResponse)) == 1
    with pytest.raises(RuleViolation):
        services.submit_answer(registration, {"ratings": [1, 1, 1, 1]}, PAST_DAY)


def test_an_anonymous_answer_keeps_no_person_only_that_the_ticket_answered(client, finished_training):
    t = finished_training([ALL_PRESENT])
    [registration] = t.registrations
    answer(client, registration, [5, 5, 5, 5])
    response = db.session.scalar(select(SurveyResponse))
    assert response.registration_id is None
    assert db.session.scalar(select(SurveyAnswered.registration_id)) == registration.id


def test_a_wrong_token_is_not_found(client, finished_training):
    finished_training([ALL_PRESENT])
    assert client.get("/evaluasi/not-a-token").status_code == 404


def test_ratings_outside_one_to_five_are_refused_and_nothing_is_stored(client, finished_training):
    t = finished_training([ALL_PRESENT])
    [registration] = t.registrations
    page = answer(client, registration, [6, 0, 3, 4])
    assert page.status_code == 200 and "is-invalid" in page.text
    missing = answer(client, registration, [5, 4, 3])
    assert missing.status_code == 200
    assert db.session.scalar(select(func.count()).select_from(SurveyResponse)) == 0
    assert db.session.scalar(select(func.count()).select_from(SurveyAnswered)) == 0


def test_the_printed_qr_page_takes_a_ticket_code_once_and_refuses_unknown_codes(client, finished_training):
    t = finished_training([ALL_PRESENT, ALL_PRESENT])
    first = t.registrations[0]
    url = f"/evaluasi/acara/{t.event.uid_token}"
    assert client.get(url).status_code == 200
    unknown = client.post(url, data={"code": "ZZZZZZ"})
    assert unknown.status_code == 200 and "ZZZZZZ" in unknown.text and "is-invalid" in unknown.text
    found = client.post(url, data={"code": first.check_in_code.lower()})
    assert found.status_code == 302 and found.headers["Location"].endswith(services.answer_token(first))
    client.post(found.headers["Location"], data={f"rating_{n}": "4" for n in range(4)})
    used = client.post(url, data={"code": first.check_in_code})
    assert used.status_code == 200 and "is-invalid" in used.text
    assert db.session.scalar(select(func.count()).select_from(SurveyResponse)) == 1


def test_averages_and_distribution_computed_by_hand(finished_training):
    t = finished_training([ALL_PRESENT] * 4)
    given = [[5, 4, 3, 2], [4, 4, 2, 2], [3, 5, 2, 1], [5, 4, 1, 1]]
    topics = [["Akses permodalan"], ["Akses permodalan", "Tata kelola dan RAT"], [], ["Bukan pilihan"]]
    for registration, ratings, chosen in zip(t.registrations, given, topics, strict=True):
        services.submit_answer(registration, {"ratings": ratings, "topics": chosen, "comment": "ok"}, PAST_DAY)
    db.session.commit()
    found = results.results(services.survey_of(t.event.id))
    assert found.responses == 4
    # Materi: (5+4+3+5)/4 = 4.25; fasilitator: (4+4+5+4)/4 = 4.25; tempat: (3+2+2+1)/4 = 2.0; penyelenggaraan 1.5
    assert [rating.average for rating in found.ratings] == [4.25, 4.25, 2.0, 1.5]
    assert found.ratings[0].counts == {1: 0, 2: 0, 3: 1, 4: 1, 5: 2}
    assert found.ratings[3].counts == {1: 2, 2: 2, 3: 0, 4: 0, 5: 0}
    assert dict(found.topics)["Akses permodalan"] == 2 and dict(found.topics)["Tata kelola dan RAT"] == 1
    assert "Bukan pilihan" not in dict(found.topics)
    header, rows = results.table(services.survey_of(t.event.id))
    assert len(rows) == 4 and rows[0][1:5] == [5, 4, 3, 2]


def test_the_results_page_and_exports_for_the_office_only(client, login, organiser, make_user, finished_training):
    from portal.accounts.models import Role

    t = finished_training([ALL_PRESENT])
    services.submit_answer(t.registrations[0], {"ratings": [4, 4, 4, 4], "comment": "Ruangan panas"}, PAST_DAY)
    db.session.commit()
    board = make_user(Role.BOARD)
    login(client, board)
    assert client.get(f"/organiser/events/{t.event.id}/evaluation").status_code == 403
    client.post("/logout")
    login(client, organiser)
    page = client.get(f"/organiser/events/{t.event.id}/evaluation")
    assert page.status_code == 200 and 'data-average="4.00"' in page.text and "Ruangan panas" in page.text
    csv = client.get(f"/organiser/events/{t.event.id}/evaluation.csv")
    assert csv.status_code == 200 and "Ruangan panas" in csv.text
    assert client.get(f"/organiser/events/{t.event.id}/evaluation.xlsx").status_code == 200


def test_the_certificate_email_carries_the_personal_link(organiser, finished_training):
    t = finished_training([ALL_PRESENT])
    certificates.issue_certificates(organiser, t.event.id, utcnow())
    db.session.commit()
    body = db.session.scalar(select(OutboxMessage.body_text).where(
        OutboxMessage.template == "certificates/email/issued_to_participant"))
    assert f"/evaluasi/{services.answer_token(t.registrations[0])}" in body


def test_the_office_edits_its_form_and_new_surveys_copy_it(client, login, organiser, finished_training):
    login(client, organiser)
    refused = client.post("/organiser/evaluation-form", data={"ratings": "", "topics_question": "Topik?",
                                                              "comment_question": "Saran"})
    assert refused.status_code == 200 and "is-invalid" in refused.text
    saved = client.post("/organiser/evaluation-form", data={
        "ratings": "Materi\nWaktu\n", "topics_question": "Topik berikutnya?", "topics": "Ekspor\nPangan",
        "comment_question": "Saran"})
    assert saved.status_code == 302
    t = finished_training([ALL_PRESENT])
    survey = services.survey_of(t.event.id)
    assert survey.ratings == ["Materi", "Waktu"] and survey.topics == ["Ekspor", "Pangan"]


def test_the_last_sessions_daftar_hadir_prints_the_evaluation_qr_code(finished_training):
    from portal.attendance.exports import attendance_sheet_pdf
    from tests.pdfs import pdf_page_image, pdf_text, read_qr_codes

    t = finished_training([ALL_PRESENT])
    first, *_, last = sorted(t.event.sessions, key=lambda s: s.starts_at)
    assert "/evaluasi/acara/" not in pdf_text(attendance_sheet_pdf(t.event, first))
    pdf = attendance_sheet_pdf(t.event, last)
    assert f"/evaluasi/acara/{t.event.uid_token}" in pdf_text(pdf).replace("\n", "")
    codes = read_qr_codes(pdf_page_image(pdf, 0, 3))
    assert any(code.endswith(f"/evaluasi/acara/{t.event.uid_token}") for code in codes)


def test_the_message_after_the_event_goes_once_to_those_who_have_not_answered(client, login, organiser,
                                                                              finished_training):
    t = finished_training([ALL_PRESENT, ALL_PRESENT, ALL_PRESENT])
    services.submit_answer(t.registrations[0], {"ratings": [5, 5, 5, 5]}, PAST_DAY)
    db.session.commit()
    login(client, organiser)
    page = client.get(f"/organiser/events/{t.event.id}/evaluation")
    assert 'data-testid="survey-whatsapp"' in page.text and f"/evaluasi/acara/{t.event.uid_token}" in page.text
    for _ in range(2):
        assert client.post(f"/organiser/events/{t.event.id}/evaluation/links").status_code == 302
    sent = db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.template == "surveys/email/link_to_participant")).all()
    assert sorted(message.recipient_email for message in sent) == ["peserta2@example.org", "peserta3@example.org"]
    assert f"/evaluasi/{services.answer_token(t.registrations[1])}" in " ".join(m.body_text for m in sent)


def test_the_ticket_page_offers_the_evaluation_until_answered(client, finished_training):
    t = finished_training([ALL_PRESENT])
    [registration] = t.registrations
    page = client.get(f"/tickets/{registration.token}")
    assert 'data-testid="survey-link"' in page.text and services.answer_token(registration) in page.text
    answer(client, registration, [3, 3, 3, 3])
    assert 'data-testid="survey-link"' not in client.get(f"/tickets/{registration.token}").text
