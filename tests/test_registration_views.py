"""What the web layer adds: pages, access, the ticket link, exports, and mail that arrives."""

import csv
import io

import openpyxl
from sqlalchemy import func, select

from portal.accounts.models import Role
from portal.extensions import db
from portal.mail.delivery import send_pending
from portal.registrations import participants, services
from portal.registrations.models import Registration, RegistrationStatus


def registrations_of(event):
    return list(db.session.scalars(select(Registration).where(Registration.event_id == event.id)
                                   .order_by(Registration.id)))


def test_board_signs_up_board_members_and_a_new_person(client, login, open_event, board_of):
    event = open_event(seats=2)
    cooperative, board = board_of(board=("Yohanes Bani", "Maria Tefa"))
    login(client, board)
    page = client.get("/my-cooperative/events")
    assert page.status_code == 200 and f"/my-cooperative/events/{event.id}/sign-up" in page.text
    form = client.get(f"/my-cooperative/events/{event.id}/sign-up")
    assert "Maria Tefa" in form.text
    member_ids = [m.id for m in cooperative.board_members]
    response = client.post(f"/my-cooperative/events/{event.id}/sign-up",
                           data={"board_member_id": member_ids, "full_name": "Agus Lake", "position": "staff",
                                 "phone": "0813 1111 2222"})
    assert response.status_code == 302
    assert [r.status for r in registrations_of(event)] == [RegistrationStatus.CONFIRMED, RegistrationStatus.CONFIRMED,
                                                           RegistrationStatus.WAITLISTED]
    page = client.get("/my-cooperative/events")
    assert page.text.count('data-status="waitlisted"') == 1
    public = client.get(f"/events/{event.id}")
    assert 'data-testid="waitlist-length">1<' in public.text


def test_sign_up_pages_are_for_approved_board_members(client, login, logged_in, open_event, make_board_user,
                                                      make_cooperative):
    event = open_event()
    assert client.get(f"/my-cooperative/events/{event.id}/sign-up").status_code == 302  # to the login
    pending = make_board_user(make_cooperative(), status="pending")
    login(client, pending)
    response = client.get(f"/my-cooperative/events/{event.id}/sign-up")
    assert response.status_code == 302 and response.headers["Location"].endswith("/my-cooperative")


def test_organiser_tab_filters_counts_bulk_approve_and_exports(client, logged_in, open_event, board_of, make_people):
    event = open_event(seats=3, requires_approval=True)
    cooperative, board = board_of()
    people = make_people(cooperative, 3)
    people[0].full_name = "=HYPERLINK(\"http://evil\")"
    db.session.commit()
    registrations = services.sign_up(board, event.id, [p.id for p in people])
    db.session.commit()
    ids = [r.id for r in registrations]
    logged_in(Role.ORGANISER)
    page = client.get(f"/organiser/events/{event.id}/registrations?status=pending")
    assert page.status_code == 200 and page.text.count('data-status="pending"') == 3
    response = client.post(f"/organiser/events/{event.id}/registrations/decide",
                           data={"registration_id": ids[:2], "action": "approve"})
    assert response.status_code == 302
    client.post(f"/organiser/events/{event.id}/registrations/decide",
                data={"registration_id": ids[2:], "action": "reject", "reason": "Kuota"})
    assert [r.status for r in registrations_of(event)] == [RegistrationStatus.CONFIRMED] * 2 + [
        RegistrationStatus.REJECTED]
    page = client.get(f"/organiser/events/{event.id}/registrations")
    assert 'data-count="confirmed">' in page.text
    rows = list(csv.reader(io.StringIO(client.get(f"/organiser/events/{event.id}/registrations.csv")
                                       .data.decode("utf-8-sig")), delimiter=";"))
    assert len(rows) == 4 and rows[1][0].startswith("'=")
    workbook = client.get(f"/organiser/events/{event.id}/registrations.xlsx").data
    sheet = openpyxl.load_workbook(io.BytesIO(workbook)).active
    assert sheet.cell(2, 1).value.startswith("=") and sheet.cell(2, 1).data_type == "s", "text, never a formula"
    assert sheet.max_row == 4


def test_board_cannot_use_organiser_pages_or_cancel_others(client, login, open_event, board_of, make_people):
    event = open_event()
    cooperative, board = board_of()
    registration = services.sign_up(board, event.id, [make_people(cooperative)[0].id])[0]
    db.session.commit()
    _other, stranger = board_of()
    login(client, stranger)
    assert client.get(f"/organiser/events/{event.id}/registrations").status_code == 403
    assert client.post(f"/registrations/{registration.id}/cancel").status_code == 404
    db.session.refresh(registration)
    assert registration.status == RegistrationStatus.CONFIRMED


def test_ticket_page_by_random_token(client, open_event, board_of, make_people):
    event = open_event()
    cooperative, board = board_of()
    registration = services.sign_up(board, event.id, [make_people(cooperative, full_name="Maria Tefa")[0].id])[0]
    db.session.commit()
    assert len(registration.token) >= 43  # 32 random bytes
    page = client.get(f"/tickets/{registration.token}")
    assert page.status_code == 200 and "Maria Tefa" in page.text and 'data-status="confirmed"' in page.text
    assert client.get(f"/tickets/{registration.token[:-1]}x").status_code == 404


def test_confirmation_and_promotion_emails_arrive(app, smtp, open_event, board_of):
    event = open_event(seats=1)
    cooperative, board = board_of()
    first = participants.find_or_create_participant(None, cooperative, "Maria Tefa", "staff", email="maria@example.org")
    second = participants.find_or_create_participant(None, cooperative, "Agus Lake", "staff", email="agus@example.org")
    confirmed, waiting = services.sign_up(board, event.id, [first.id, second.id])
    db.session.commit()
    send_pending("test")
    to_maria = [r for r in smtp.received if "maria@example.org" in r.rcpt_tos]
    assert len(to_maria) == 1
    assert "event.ics" in to_maria[0].attachments()
    assert b"BEGIN:VEVENT" in to_maria[0].attachments()["event.ics"]
    assert f"/tickets/{confirmed.token}" in to_maria[0].body("plain")
    assert any(board.email in r.rcpt_tos for r in smtp.received)
    services.cancel_registration(board, confirmed)
    db.session.commit()
    send_pending("test")
    to_agus = [r for r in smtp.received if "agus@example.org" in r.rcpt_tos]
    assert len(to_agus) == 2  # waitlisted, then promoted with the calendar entry
    assert "event.ics" in to_agus[1].attachments() and f"/tickets/{waiting.token}" in to_agus[1].body("plain")
    assert db.session.scalar(select(func.count()).select_from(Registration).where(
        Registration.status == RegistrationStatus.CONFIRMED)) == 1


def test_organiser_registers_an_outside_guest(client, logged_in, open_event):
    event = open_event(seats=1)
    logged_in(Role.ORGANISER)
    response = client.post(f"/organiser/events/{event.id}/registrations/guests",
                           data={"full_name": "Ibu Sari", "organisation_name": "Bank NTT"})
    assert response.status_code == 302
    assert client.post(f"/organiser/events/{event.id}/registrations/guests",
                       data={"full_name": ""}).status_code == 400
    [registration] = registrations_of(event)
    assert registration.participant.organisation_name == "Bank NTT" and registration.cooperative_id is None


def test_board_and_organiser_pages_issue_the_same_queries_for_1_and_6_events(client, login, logged_in, open_event,
                                                                             board_of, make_people, count_queries):
    from datetime import date, timedelta

    cooperative, board = board_of()
    people = make_people(cooperative, 12)

    def add_event(n):
        event = open_event(seats=1, day=date.today() + timedelta(days=20 + n))
        services.sign_up(board, event.id, [people[2 * n].id, people[2 * n + 1].id])
        db.session.commit()
        return event

    first = add_event(0)
    login(client, board)
    with count_queries() as few:
        assert client.get("/my-cooperative/events").status_code == 200
    for n in range(1, 6):
        add_event(n)
    with count_queries() as many:
        assert client.get("/my-cooperative/events").status_code == 200
    assert len(many) == len(few), "\n".join(s[:120] for s in many)
    client.post("/logout")
    logged_in(Role.ORGANISER)
    with count_queries() as tab:
        assert client.get(f"/organiser/events/{first.id}/registrations").status_code == 200
    services.sign_up(board, first.id, [p.id for p in people[2:8]])
    db.session.commit()
    with count_queries() as fuller:
        assert client.get(f"/organiser/events/{first.id}/registrations").status_code == 200
    assert len(fuller) == len(tab)


def test_the_registrations_tab_shows_the_event_status_and_keeps_the_guest_form_out_of_the_title(
        client, logged_in, open_event):
    logged_in(Role.ORGANISER)
    event = open_event()
    html = client.get(f"/organiser/events/{event.id}/registrations").text
    title = html.split("<title>")[1].split("</title>")[0]
    assert "<form" not in title and event.title in title
    assert 'data-status="published">Terbit</span>' in html
    assert html.count(f'action="/organiser/events/{event.id}/registrations/guests"') == 1
