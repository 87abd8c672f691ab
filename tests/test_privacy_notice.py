"""The privacy notice (UU 27/2022): a page per office, in Indonesian and English, whose text the
administrator may replace; linked from the footer, from every form that collects personal data and
from every email as it arrives."""

from datetime import UTC, datetime

from portal.accounts.models import Role
from portal.certificates.data_requests import request_about
from portal.extensions import db
from portal.mail.delivery import send_pending
from portal.privacy.models import DataRequestKind
from portal.registrations import participants
from portal.registrations import services as registrations
from portal.registrations.models import ParticipantPosition
from tests.conftest import csrf_token_from
from tests.test_mail import POLICY


def _links_notice(html: str, office_id: int) -> bool:
    return f'href="/privacy/{office_id}"' in html


def test_the_notice_names_purposes_periods_and_the_optional_fields(client, app):
    page = client.get("/privacy")
    assert page.status_code == 200
    text = page.text
    assert "Undang-Undang Nomor 27 Tahun 2022" in text
    assert "730 hari setelah kegiatan terakhir Anda" in text and "Jenis kelamin (opsional)" in text
    assert "Selama sertifikat berlaku" in text
    english = client.get("/privacy", headers={"Accept-Language": "en"}).text
    assert "Law No. 27 of 2022" in english or "Undang-Undang" in english


def test_the_administrator_replaces_the_text_and_the_periods(client, logged_in):
    admin = logged_in(Role.ADMIN)
    form = client.get("/admin/privacy/settings").text
    token = csrf_token_from(form)
    values = {"csrf_token": token, "contact_days": "365", "walk_in_days": "180", "survey_days": "365",
              "photo_days": "1095", "session_days": "30", "notice_id": "Kantor kami menjaga data Anda.",
              "notice_en": ""}
    assert client.post("/admin/privacy/settings", data=values).status_code == 302
    page = client.get(f"/privacy/{admin.office_id}").text
    assert "Kantor kami menjaga data Anda." in page and "365 hari setelah kegiatan terakhir Anda" in page
    refused = client.post("/admin/privacy/settings", data={**values, "contact_days": "0"})
    assert refused.status_code == 400 or "invalid-feedback" in refused.text


def test_organisers_may_not_change_the_privacy_settings(client, logged_in):
    logged_in(Role.ORGANISER)
    assert client.get("/admin/privacy/settings").status_code == 403


def test_the_footer_and_every_form_that_collects_personal_data_link_the_notice(
        app, client, login, organiser, training):
    t = training(people=1)
    office_id = t.event.office_id
    correction = request_about(None, t.registrations[0].participant, DataRequestKind.CORRECTION, "Ejaan nama",
                               datetime.now(UTC))
    db.session.commit()
    assert _links_notice(client.get("/").text, office_id)
    assert _links_notice(client.get("/register").text, office_id)
    login(client, organiser)
    for url in (f"/organiser/events/{t.event.id}/attendance/{t.sessions[0].id}/walk-in",
                f"/organiser/events/{t.event.id}/registrations",
                f"/organiser/events/{t.event.id}/registrations/for-cooperative?cooperative_id={t.cooperative.id}",
                f"/cooperatives/{t.cooperative.id}/board/new",
                f"/registrations/{t.registrations[0].id}/substitute",
                f"/organiser/events/{t.event.id}/attendance/{t.sessions[0].id}",  # the quick walk-in
                f"/organiser/events/{t.event.id}/guests",
                f"/cooperatives/{t.cooperative.id}/contacts",
                f"/cooperatives/{t.cooperative.id}/edit",
                "/cooperatives/new",
                f"/organiser/data-requests/{correction.id}/correct",
                f"/tickets/{t.registrations[0].token}/my-data"):
        page = client.get(url)
        assert page.status_code == 200, url
        assert "privacy-form-notice" in page.text and _links_notice(page.text, office_id), url
    board = app.test_client()
    login(board, t.board)
    page = board.get(f"/my-cooperative/events/{t.event.id}/sign-up")
    assert page.status_code == 200 and "privacy-form-notice" in page.text


def test_an_email_as_received_links_the_notice(app, smtp, training):
    t = training(people=0)
    someone = participants.find_or_create_participant(None, t.cooperative, "Maria Bria", ParticipantPosition.STAFF,
                                                      email="maria@example.org")
    registrations.sign_up(t.board, t.event.id, [someone.id])
    db.session.commit()
    send_pending("test", policy=POLICY)
    received = [r for r in smtp.received if "maria@example.org" in r.rcpt_tos]
    assert received
    url = f"{app.config['PORTAL_BASE_URL'].rstrip('/')}/privacy/{t.event.office_id}"
    assert url in received[0].body("plain") and url in received[0].body("html")


def test_the_retention_defaults_are_the_documented_ones():
    """README and docs/security.md state each default period the model sets, in days."""
    import pathlib

    from portal.privacy.models import DEFAULT_RETENTION_DAYS

    root = pathlib.Path(__file__).resolve().parent.parent
    for document in ("README.md", "docs/security.md"):
        text = " ".join((root / document).read_text().split())
        for field, days in DEFAULT_RETENTION_DAYS.items():
            assert f"{days:,}" in text, (document, field, days)
