"""The evaluation's personal link as a WhatsApp text: each person who has not answered, with their
own token; those who answered are not listed; another office's organiser is refused."""

from urllib.parse import unquote

from portal.accounts.models import Role
from portal.extensions import db
from portal.offices.services import create_office
from portal.surveys import services, whatsapp
from tests.certificate_fixtures import PAST_DAY

ALL_PRESENT = ["present", "present", "present"]


def phones(t, *numbers):
    for registration, number in zip(t.registrations, numbers, strict=True):
        registration.participant.phone = number
    db.session.commit()


def test_each_unanswered_person_gets_a_wa_me_link_with_their_own_token(client, login, organiser, finished_training):
    t = finished_training([ALL_PRESENT] * 4)
    phones(t, "0812-3456-7001", "+6281234567002", "0380-821234", None)
    services.submit_answer(t.registrations[0], {"ratings": [5, 5, 5, 5]}, PAST_DAY)
    db.session.commit()
    login(client, organiser)
    page = client.get(f"/organiser/events/{t.event.id}/evaluation")
    assert page.status_code == 200
    html = unquote(page.text)
    answered, mobile, landline, without = t.registrations
    assert f'data-registration="{answered.id}"' not in page.text
    assert services.answer_token(answered) not in html
    assert "https://wa.me/6281234567002?text=Halo Peserta 2" in html.replace("+", " ")
    for registration in (mobile, landline, without):
        assert f"/evaluasi/{services.answer_token(registration)}" in html
    assert page.text.count('data-testid="survey-wa"') == 1
    assert "Bukan nomor HP" in page.text and "Tidak ada nomor telepon" in page.text


def test_the_text_is_indonesian_and_carries_only_that_persons_link(finished_training):
    t = finished_training([ALL_PRESENT] * 2)
    phones(t, "081234567001", "081234567002")
    survey = services.survey_of(t.event.id)
    first, second = t.registrations
    rows = whatsapp.survey_texts(survey, t.event, db.session.scalars(whatsapp.unanswered_query(survey)).all())
    by_id = {row.registration.id: row for row in rows}
    text = by_id[first.id].text
    assert text.startswith("Halo Peserta 1") and "Jawaban Anda anonim." in text
    assert services.answer_token(first) in text and services.answer_token(second) not in text
    assert by_id[first.id].link.startswith("https://wa.me/6281234567001?text=")
    assert services.answer_token(second) in unquote(by_id[second.id].link)


def test_the_list_reads_a_fixed_number_of_queries(client, login, organiser, finished_training, count_queries):
    small = finished_training([ALL_PRESENT])
    large = finished_training([ALL_PRESENT] * 6, cooperative_name="KSP Maju Bersama")
    phones(large, *[f"08123456700{n}" for n in range(6)])
    login(client, organiser)
    with count_queries() as few:
        assert client.get(f"/organiser/events/{small.event.id}/evaluation").status_code == 200
    with count_queries() as many:
        assert client.get(f"/organiser/events/{large.event.id}/evaluation").status_code == 200
    assert len(many) == len(few)


def test_another_office_and_a_board_member_are_refused(client, login, make_user, south_regency, finished_training):
    t = finished_training([ALL_PRESENT])
    south = create_office(None, "Dinas Koperasi TTS", [south_regency.id], city="SoE")
    db.session.commit()
    stranger = make_user(Role.ORGANISER, email="tts@example.org", office=south)
    login(client, stranger)
    page = client.get(f"/organiser/events/{t.event.id}/evaluation")
    assert page.status_code == 404 and services.answer_token(t.registrations[0]) not in page.text
    client.post("/logout")
    login(client, t.board)
    assert client.get(f"/organiser/events/{t.event.id}/evaluation").status_code == 403
