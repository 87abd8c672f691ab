"""What the web layer adds to certificates: the organisers' preview and issue, the public check
(valid, revoked, unknown; rate limited), downloads for the board and from the ticket page, the
PDF itself and the email that carries it."""

import pytest
from flask_babel import force_locale, gettext
from sqlalchemy import select

from portal.accounts.models import Role
from portal.certificates import services
from portal.certificates.models import Certificate
from portal.database import utcnow
from portal.extensions import db
from portal.mail.delivery import send_pending
from tests.certificate_fixtures import PAST_DAY
from tests.pdfs import pdf_page_image, pdf_text, read_qr_codes, save_pdf_page


def issued(t, organiser) -> list[Certificate]:
    result = services.issue_certificates(organiser, t.event.id, utcnow())
    db.session.commit()
    return result


def test_the_organiser_sees_who_qualifies_and_why_then_issues_in_one_step(client, login, organiser,
                                                                          finished_training):
    t = finished_training([["present", "late", "absent"], ["present", "excused", None]], min_sessions=2)
    login(client, organiser)
    url = f"/organiser/events/{t.event.id}/certificates"
    page = client.get(url)
    assert page.status_code == 200
    assert page.text.count('data-outcome="qualifies"') == 1 and page.text.count('data-outcome="not_qualified"') == 1
    with force_locale("id"):
        why = gettext("Attended %(attended)d of %(total)d sessions; %(required)d needed", attended=1, total=3,
                      required=2)
        excused = gettext("%(count)d excused (not counted)", count=1)
    assert why in page.text and excused in page.text
    assert 'data-testid="issue"' in page.text
    assert client.post(url).status_code == 302
    after = client.get(url)
    assert after.text.count('data-outcome="issued"') == 1 and 'data-testid="nothing-to-issue"' in after.text
    client.post(url)
    assert db.session.scalar(select(Certificate.full_name)) == "Peserta 1"
    assert len(db.session.scalars(select(Certificate)).all()) == 1


def test_a_training_not_yet_completed_cannot_be_issued_from_the_page(client, login, organiser, finished_training):
    t = finished_training([["present", "present", "present"]], complete=False)
    login(client, organiser)
    page = client.get(f"/organiser/events/{t.event.id}/certificates")
    assert 'data-testid="issue"' not in page.text
    client.post(f"/organiser/events/{t.event.id}/certificates")
    assert db.session.scalars(select(Certificate)).all() == []


def test_the_public_check_says_valid_revoked_or_unknown(client, organiser, finished_training):
    t = finished_training([["present", "present", "present"], ["present", "present", "late"]],
                          title="Pelatihan Manajemen Koperasi")
    valid, revoked = issued(t, organiser)
    services.revoke_certificate(organiser, revoked, "Nama keliru", utcnow())
    db.session.commit()

    page = client.get(f"/certificates/{valid.code}")
    assert page.status_code == 200 and 'data-status="valid"' in page.text
    assert valid.full_name in page.text and "Pelatihan Manajemen Koperasi" in page.text
    assert str(PAST_DAY.year) in page.text
    loose = client.get(f"/certificates/{valid.display_code.lower()}")
    assert 'data-status="valid"' in loose.text

    gone = client.get(f"/certificates/{revoked.code}")
    assert gone.status_code == 200 and 'data-status="revoked"' in gone.text
    assert "Nama keliru" not in gone.text, "the reason stays with the office"

    unknown = client.get("/certificates/AAAACCCCEEEE")
    assert unknown.status_code == 404 and 'data-status="unknown"' in unknown.text
    typed = client.get("/certificates", query_string={"code": valid.display_code})
    assert typed.status_code == 302 and typed.headers["Location"].endswith(f"/certificates/{valid.display_code}")


@pytest.mark.app_config(RATELIMIT_ENABLED=True, CERTIFICATE_CHECK_RATE_LIMIT="3 per minute")
def test_the_public_check_is_rate_limited(client):
    for n in range(3):
        assert client.get(f"/certificates/AAAACCCCEEE{n + 3}").status_code == 404
    assert client.get("/certificates/AAAACCCCEEEF").status_code == 429


def test_the_certificate_pdf_reads_right_and_its_qr_opens_the_check(app, client, login, organiser,
                                                                    finished_training):
    from portal.settings.services import get_office_settings

    settings = get_office_settings()
    settings.signatory_name, settings.signatory_nip = "Drs. Yohanes Nope, M.Si", "196805121990031007"
    db.session.commit()
    t = finished_training([["present", "late", "absent"]], min_sessions=2, title="Pelatihan Pembukuan Koperasi")
    [certificate] = issued(t, organiser)
    login(client, organiser)
    response = client.get(f"/certificates/{certificate.id}/pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    save_pdf_page(response.data, "certificate")
    text = pdf_text(response.data)
    with force_locale("id"):
        hours = gettext("%(sessions)d of %(total)d sessions attended, %(hours)s hours.", sessions=2, total=3,
                        hours="6")
    for expected in ("Peserta 1", "KSP Sehati Oelamasi", "Pelatihan Pembukuan Koperasi", certificate.display_code,
                     "Drs. Yohanes Nope, M.Si", "NIP 19680512 199003 1 007", hours,
                     f"{PAST_DAY.day}–{PAST_DAY.day + 2}" if PAST_DAY.day + 2 <= 28 else str(PAST_DAY.year)):
        assert expected in text, expected
    [link] = read_qr_codes(pdf_page_image(response.data, scale=3))
    assert link.endswith(f"/certificates/{certificate.code}")
    check = client.get(link.removeprefix(app.config["PORTAL_BASE_URL"]))
    assert 'data-status="valid"' in check.text


def test_the_email_carries_the_pdf_built_by_the_mail_worker(smtp, organiser, finished_training):
    t = finished_training([["present", "present", "present"], ["present", "present", "present"]], emails=False)
    from portal.registrations.models import Participant

    db.session.get(Participant, t.registrations[0].participant_id).email = "maria@example.org"
    db.session.commit()
    [mine, _other] = sorted(issued(t, organiser), key=lambda c: c.full_name)
    send_pending("test")
    [email] = [r for r in smtp.received if "maria@example.org" in r.rcpt_tos]
    attachments = email.attachments()
    assert list(attachments) == [f"sertifikat-{mine.display_code}.pdf"]
    assert mine.full_name in pdf_text(attachments[f"sertifikat-{mine.display_code}.pdf"])
    assert f"/certificates/{mine.code}" in email.body("plain")
    assert f"/tickets/{mine.registration.token}" in email.body("plain")
    assert sum(any(name.endswith(".pdf") for name in r.attachments()) for r in smtp.received) == 1, \
        "nobody without an address is mailed a certificate"


def test_the_board_and_the_ticket_page_download_it_and_no_one_else(client, login, logged_in, organiser,
                                                                   finished_training, board_of):
    t = finished_training([["present", "present", "present"]])
    [certificate] = issued(t, organiser)
    pdf = f"/certificates/{certificate.id}/pdf"
    assert client.get(pdf).status_code == 302, "anonymous: to the login"
    ticket = client.get(f"/tickets/{t.registrations[0].token}")
    assert 'data-testid="certificate"' in ticket.text
    from_ticket = client.get(f"/tickets/{t.registrations[0].token}/certificate.pdf")
    assert from_ticket.status_code == 200 and from_ticket.mimetype == "application/pdf"
    assert client.get(f"/tickets/{t.registrations[0].token[:-1]}x/certificate.pdf").status_code == 404

    login(client, t.board)
    mine = client.get(f"/cooperatives/{t.cooperative.id}")
    assert 'data-testid="cooperative-certificates"' in mine.text and pdf in mine.text
    assert client.get(pdf).status_code == 200
    client.post("/logout")
    _other, stranger = board_of()
    login(client, stranger)
    assert client.get(pdf).status_code == 404

    services.revoke_certificate(organiser, certificate, "Keliru", utcnow())
    db.session.commit()
    client.post("/logout")
    login(client, t.board)
    assert client.get(pdf).status_code == 404
    assert client.get(f"/tickets/{t.registrations[0].token}/certificate.pdf").status_code == 404
    assert 'data-testid="certificate"' not in client.get(f"/tickets/{t.registrations[0].token}").text


def test_an_organiser_revokes_with_a_reason_on_the_page(client, login, organiser, finished_training):
    t = finished_training([["present", "present", "present"]])
    [certificate] = issued(t, organiser)
    login(client, organiser)
    url = f"/organiser/certificates/{certificate.id}/revoke"
    client.post(url, data={"reason": ""})
    db.session.refresh(certificate)
    assert certificate.is_valid
    assert client.post(url, data={"reason": "Tanda tangan keliru", "confirmed": "1"}).status_code == 302
    db.session.refresh(certificate)
    assert certificate.revoke_reason == "Tanda tangan keliru"
    page = client.get(f"/organiser/events/{t.event.id}/certificates")
    assert 'data-outcome="revoked"' in page.text and "Tanda tangan keliru" in page.text


def test_meetings_have_no_certificates_tab(client, logged_in, make_event):
    from portal.events.models import EventKind

    meeting = make_event(kind=EventKind.MEETING, program_area=None)
    training = make_event()
    logged_in(Role.ORGANISER)
    assert "/certificates" not in client.get(f"/organiser/events/{meeting.id}").text
    assert f"/organiser/events/{training.id}/certificates" in client.get(f"/organiser/events/{training.id}").text
