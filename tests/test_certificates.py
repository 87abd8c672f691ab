"""The certificate rules, called through the services: eligibility at the boundary, issuing
once, revocation, codes."""

import pytest
from sqlalchemy import func, select

from portal.certificates import services
from portal.certificates.documents import certificate_attachment
from portal.certificates.models import CODE_ALPHABET, Certificate
from portal.database import utcnow
from portal.errors import RuleViolation
from portal.extensions import db
from portal.mail.models import MessageStatus, OutboxMessage
from tests.concurrency import run_together


def certificate_mail() -> list[OutboxMessage]:
    return list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.concerns_kind == "certificate")
                                   .order_by(OutboxMessage.id).execution_options(populate_existing=True)))


def outcome(event) -> dict[str, tuple[int, bool]]:
    return {row.registration.participant.full_name: (row.attended, row.qualifies)
            for row in services.eligibility(event)}


def test_eligibility_at_the_boundary_late_counts_excused_does_not(finished_training):
    t = finished_training([
        ["present", "present", "absent"],    # exactly the minimum
        ["present", "absent", None],         # one less
        ["late", "present", None],           # late counts as attended
        ["present", "excused", "excused"],   # excused does not
        ["present", "late", "present"],
    ], min_sessions=2)
    assert outcome(t.event) == {"Peserta 1": (2, True), "Peserta 2": (1, False), "Peserta 3": (2, True),
                                "Peserta 4": (1, False), "Peserta 5": (3, True)}
    rows = {row.registration.participant.full_name: row for row in services.eligibility(t.event)}
    assert rows["Peserta 4"].excused == 2 and rows["Peserta 4"].required == 2
    assert [row.qualifies for row in services.eligibility(t.event)] == [True, True, True, False, False], \
        "those who qualify come first"


def test_without_a_minimum_every_session_is_needed(finished_training):
    t = finished_training([["present", "present", "present"], ["present", "present", "absent"]], min_sessions=None)
    assert outcome(t.event) == {"Peserta 1": (3, True), "Peserta 2": (2, False)}


def test_issuing_gives_each_who_qualifies_one_certificate_and_an_email(finished_training, organiser):
    t = finished_training([["present", "present", "absent"], ["present", "absent", "absent"],
                           ["late", "late", "late"]], min_sessions=2)
    issued = services.issue_certificates(organiser, t.event.id, utcnow())
    db.session.commit()
    assert sorted(c.full_name for c in issued) == ["Peserta 1", "Peserta 3"]
    third = next(c for c in issued if c.full_name == "Peserta 3")
    assert third.sessions_attended == 3 and third.minutes_attended == 9 * 60
    assert third.affiliation == "KSP Sehati Oelamasi"
    mail = certificate_mail()
    assert sorted(m.recipient_email for m in mail) == ["peserta1@example.org", "peserta3@example.org"]
    for message in mail:
        assert message.deferred_attachments == [
            {"renderer": "certificate_pdf", "args": {"certificate_id": int(message.concerns_id)}}]
        assert message.attachments == [], "the PDF is built by the mail worker"


def test_issuing_twice_issues_nobody_twice(finished_training, organiser):
    t = finished_training([["present", "present", "absent"], ["present", "absent", None]], min_sessions=2)
    first = services.issue_certificates(organiser, t.event.id, utcnow())
    assert [c.full_name for c in first] == ["Peserta 1"]
    assert services.issue_certificates(organiser, t.event.id, utcnow()) == []
    from portal.attendance import services as attendance

    attendance.mark_attendance(organiser, t.registrations[1].id, t.event.sessions[2].id, "present", utcnow())
    later = services.issue_certificates(organiser, t.event.id, utcnow())
    db.session.commit()
    assert [c.full_name for c in later] == ["Peserta 2"], "only the newcomer"
    assert db.session.scalar(select(func.count()).select_from(Certificate)) == 2
    assert len(certificate_mail()) == 2


@pytest.mark.postgres
def test_organisers_issuing_at_once_issue_nobody_twice(app, finished_training, organiser):
    t = finished_training([["present", "present", "present"]] * 3, min_sessions=2)
    event_id, organiser_id = t.event.id, organiser.id

    def issue(_i):
        from portal.accounts.models import User

        return len(services.issue_certificates(db.session.get(User, organiser_id), event_id, utcnow()))

    results = run_together(app, 4, issue)
    assert sorted(results) == [0, 0, 0, 3]
    assert db.session.scalar(select(func.count()).select_from(Certificate)) == 3
    assert len(certificate_mail()) == 3


def test_a_participant_without_an_email_gets_a_certificate_but_no_mail(finished_training, organiser):
    t = finished_training([["present", "present", "present"]], emails=False)
    assert len(services.issue_certificates(organiser, t.event.id, utcnow())) == 1
    assert certificate_mail() == []


def test_certificates_only_for_completed_trainings(finished_training, organiser, make_event):
    running = finished_training([["present", "present", "present"]], complete=False)
    with pytest.raises(RuleViolation, match="."):
        services.issue_certificates(organiser, running.event.id, utcnow())
    meeting = finished_training([["present"]], min_sessions=None, kind="meeting", program_area=None)
    with pytest.raises(RuleViolation):
        services.issue_certificates(organiser, meeting.event.id, utcnow())
    with pytest.raises(RuleViolation):
        services.issue_certificates(running.board, running.event.id, utcnow())
    assert db.session.scalar(select(func.count()).select_from(Certificate)) == 0


def test_a_revoked_certificate_needs_a_reason_and_is_not_issued_again(finished_training, organiser):
    t = finished_training([["present", "present", "present"]])
    [certificate] = services.issue_certificates(organiser, t.event.id, utcnow())
    with pytest.raises(RuleViolation) as refused:
        services.revoke_certificate(organiser, certificate, "  ", utcnow())
    assert refused.value.field == "reason"
    services.revoke_certificate(organiser, certificate, "Data kehadiran keliru", utcnow())
    db.session.commit()
    assert not certificate.is_valid and certificate.revoke_reason == "Data kehadiran keliru"
    assert [m.status for m in certificate_mail()] == [MessageStatus.CANCELLED], "the unsent email is held back"
    with pytest.raises(RuleViolation):
        services.revoke_certificate(organiser, certificate, "Lagi", utcnow())
    assert services.issue_certificates(organiser, t.event.id, utcnow()) == []
    assert services.valid_certificate_of(t.registrations[0]) is None


def test_codes_are_random_not_sequential_and_typed_loosely(finished_training, organiser):
    t = finished_training([["present", "present", "present"]] * 6)
    issued = services.issue_certificates(organiser, t.event.id, utcnow())
    codes = [c.code for c in issued]
    assert len(set(codes)) == 6 and all(len(code) == 12 and set(code) <= set(CODE_ALPHABET) for code in codes)
    assert len({code[:6] for code in codes}) == 6, "no common, counting prefix"
    certificate = issued[0]
    assert services.find_by_code(certificate.display_code.lower()) == certificate
    assert services.find_by_code(f" {certificate.code[:6]} {certificate.code[6:]} ") == certificate
    assert services.find_by_code("A" * 12 if certificate.code != "A" * 12 else "C" * 12) is None
    assert services.find_by_code("x") is None


def test_a_certificate_revoked_after_its_email_failed_is_not_sent_with_a_retry(finished_training, organiser):
    t = finished_training([["present", "present", "present"]])
    [certificate] = services.issue_certificates(organiser, t.event.id, utcnow())
    [message] = certificate_mail()
    message.status = MessageStatus.FAILED
    services.revoke_certificate(organiser, certificate, "Data kehadiran keliru", utcnow())
    db.session.commit()
    assert [m.status for m in certificate_mail()] == [MessageStatus.CANCELLED]
    assert certificate_attachment(certificate.id) is None
