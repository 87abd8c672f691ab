"""Destructive actions ask first: the button posts to a confirmation step that says what will
follow and does nothing; a final button (``confirmed=1``, the same fields again) does it, and the
message after it says what followed. Works without JavaScript."""

import re

from sqlalchemy import func, select

from portal.accounts.models import Role
from portal.certificates import services as certificates
from portal.cooperatives.models import CooperativeStatus, StatusChange
from portal.database import utcnow
from portal.events.models import Event, EventStatus
from portal.extensions import db
from portal.registrations.models import Registration, RegistrationStatus


def confirm_step(response) -> str:
    """The confirmation page's final form, checked for the essentials."""
    assert response.status_code == 200 and 'data-testid="confirm"' in response.text
    form = re.search(r'<form[^>]*data-testid="confirm-form".*?</form>', response.text, re.S).group(0)
    assert 'name="confirmed" value="1"' in form and 'method="post"' in form
    return form


def hidden_fields(form: str) -> dict:
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form))


def flashed(page) -> str:
    return " ".join(re.findall(r'<div class="alert[^"]*"[^>]*>(.*?)</div>', page.text, re.S))


def status_of(registration) -> RegistrationStatus:
    return db.session.scalar(select(Registration.status).where(Registration.id == registration.id))


def test_an_organiser_cancelling_a_registration_confirms_and_learns_who_was_promoted(client, login, organiser,
                                                                                    training):
    t = training(people=3, seats=2)
    first, _second, waiting = t.registrations
    login(client, organiser)
    url = f"/registrations/{first.id}/cancel"
    step = client.post(url)
    form = confirm_step(step)
    assert first.participant.full_name in step.text
    assert waiting.participant.full_name in step.text, "says who is next on the waiting list"
    assert status_of(first) == RegistrationStatus.CONFIRMED, "asking changed nothing"
    done = client.post(url, data={**hidden_fields(form), "confirmed": "1"}, follow_redirects=True)
    assert status_of(first) == RegistrationStatus.CANCELLED
    assert status_of(waiting) == RegistrationStatus.CONFIRMED
    assert waiting.participant.full_name in flashed(done) and first.participant.full_name in flashed(done)


def test_a_board_member_cancelling_confirms_too(client, login, training):
    t = training(people=1)
    login(client, t.board)
    url = f"/registrations/{t.registrations[0].id}/cancel"
    confirm_step(client.post(url))
    assert status_of(t.registrations[0]) == RegistrationStatus.CONFIRMED
    done = client.post(url, data={"confirmed": "1"}, follow_redirects=True)
    assert status_of(t.registrations[0]) == RegistrationStatus.CANCELLED
    assert "daftar tunggu" in flashed(done), "says nobody was waiting for the seat"


def test_cancelling_an_event_confirms_with_the_reason_and_counts_who_is_told(client, login, organiser, training):
    t = training(people=2)
    login(client, organiser)
    url = f"/organiser/events/{t.event.id}/cancel"
    step = client.post(url, data={"cancel-reason": "Banjir di Oelamasi"})
    form = confirm_step(step)
    assert "Banjir di Oelamasi" in step.text and hidden_fields(form)["cancel-reason"] == "Banjir di Oelamasi"
    assert db.session.get(Event, t.event.id).status == EventStatus.PUBLISHED
    done = client.post(url, data={**hidden_fields(form), "confirmed": "1"}, follow_redirects=True)
    db.session.expire_all()
    assert db.session.get(Event, t.event.id).status == EventStatus.CANCELLED
    assert "2" in flashed(done) and "email" in flashed(done)


def test_completing_an_event_confirms(client, login, organiser, finished_training):
    t = finished_training([["present", "present", "present"]], complete=False)
    login(client, organiser)
    url = f"/organiser/events/{t.event.id}/complete"
    confirm_step(client.post(url))
    assert db.session.get(Event, t.event.id).status == EventStatus.PUBLISHED
    done = client.post(url, data={"confirmed": "1"}, follow_redirects=True)
    db.session.expire_all()
    assert db.session.get(Event, t.event.id).status == EventStatus.COMPLETED
    assert "sertifikat" in flashed(done).lower(), "says what comes next: the certificates"


def test_deactivating_a_user_confirms(client, login, make_user):
    admin, organiser = make_user(Role.ADMIN), make_user(Role.ORGANISER, full_name="Maria Penyelenggara")
    login(client, admin)
    url = f"/admin/users/{organiser.id}/active"
    step = client.post(url, data={"active": "0"})
    confirm_step(step)
    assert "Maria Penyelenggara" in step.text
    db.session.refresh(organiser)
    assert organiser.is_active_account
    done = client.post(url, data={"active": "0", "confirmed": "1"}, follow_redirects=True)
    db.session.refresh(organiser)
    assert not organiser.is_active_account and "Maria Penyelenggara" in flashed(done)


def test_changing_a_cooperative_status_confirms(client, login, organiser, make_cooperative):
    cooperative = make_cooperative(name="KSP Sehati Oelamasi")
    login(client, organiser)
    url = f"/cooperatives/{cooperative.id}/status"
    data = {"status": "inactive", "reason": "Tidak RAT sejak 2019", "effective_date": "2026-01-05"}
    step = client.post(url, data=data)
    confirm_step(step)
    assert "Tidak RAT sejak 2019" in step.text
    db.session.refresh(cooperative)
    assert cooperative.status == CooperativeStatus.ACTIVE
    done = client.post(url, data={**data, "confirmed": "1"}, follow_redirects=True)
    db.session.refresh(cooperative)
    assert cooperative.status == CooperativeStatus.INACTIVE and "Tidak aktif" in flashed(done)
    assert db.session.scalar(select(func.count(StatusChange.id)).where(
        StatusChange.cooperative_id == cooperative.id, StatusChange.status == CooperativeStatus.INACTIVE)) == 1


def test_revoking_a_certificate_confirms(client, login, organiser, finished_training):
    t = finished_training([["present", "present", "present"]])
    [certificate] = certificates.issue_certificates(organiser, t.event.id, utcnow())
    db.session.commit()
    login(client, organiser)
    url = f"/organiser/certificates/{certificate.id}/revoke"
    step = client.post(url, data={"reason": "Tanda tangan keliru"})
    confirm_step(step)
    assert certificate.code in step.text and "Tanda tangan keliru" in step.text
    db.session.refresh(certificate)
    assert certificate.is_valid
    done = client.post(url, data={"reason": "Tanda tangan keliru", "confirmed": "1"}, follow_redirects=True)
    db.session.refresh(certificate)
    assert not certificate.is_valid and certificate.code in flashed(done)


def test_an_empty_reason_is_refused_before_asking(client, login, organiser, training):
    t = training(people=0)
    login(client, organiser)
    response = client.post(f"/organiser/events/{t.event.id}/cancel", data={"cancel-reason": ""})
    assert response.status_code == 400 and 'data-testid="confirm"' not in response.text


def test_refused_actions_are_refused_after_the_confirmation(client, login, organiser, training):
    t = training(people=1, days=2)
    login(client, organiser)
    done = client.post(f"/organiser/events/{t.event.id}/complete", data={"confirmed": "1"}, follow_redirects=True)
    assert db.session.get(Event, t.event.id).status == EventStatus.PUBLISHED
    assert "belum" in flashed(done)
