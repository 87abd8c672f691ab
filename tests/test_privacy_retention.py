"""Retention (UU 27/2022): past each office's periods, participants' and walk-ins' names and contacts
are blanked and ended logins deleted, with a clock the test sets. The rows reports count stay, so
the counts are unchanged; certificates keep their name; a second run changes nothing; every run is
audited; a dry run changes nothing."""

from datetime import UTC, datetime, time, timedelta

import sqlalchemy as sa

from portal.accounts.models import LoginSession
from portal.attendance import queries as attendance_queries
from portal.attendance import services as attendance
from portal.audit.models import AuditEntry
from portal.certificates.models import Certificate
from portal.events.models import EventStatus
from portal.extensions import db
from portal.privacy.models import PrivacySettings
from portal.privacy.services import retention_job, run_retention
from portal.registrations import services as registrations
from portal.registrations.models import Participant
from portal.registrations.retention import ANONYMISED_NAME
from tests.attendance_fixtures import wita


def _people():
    db.session.expire_all()
    return {p.id: (p.full_name, p.email, p.anonymised_at is not None)
            for p in db.session.scalars(sa.select(Participant))}


def _ended_training(training, organiser):
    """A one-day training: three seated people marked, one walk-in, a certificate."""
    t = training(people=3, days=1)
    session = t.sessions[0]
    for registration in t.registrations:
        attendance.mark_attendance(organiser, registration.id, session.id, "present", wita(t.day(1), 9, 5))
    walk_in = attendance.record_walk_in(organiser, session, "Yakobus Tefa", "Dinas Pertanian", "staff",
                                        "0812 3456 7890", wita(t.day(1), 9, 10)).registration
    db.session.add(Certificate(registration_id=t.registrations[0].id, event_id=t.event.id,
                               full_name=t.registrations[0].participant.full_name, affiliation="Koperasi",
                               sessions_attended=1, minutes_attended=180))
    db.session.commit()
    return t, walk_in


def _counts(event):
    return {session_id: counts.as_dict() for session_id, counts in attendance_queries.session_counts(event).items()}


def _run(now, **kwargs):
    results = run_retention(now, **kwargs)
    db.session.commit()
    return results


def test_walk_ins_go_after_a_year_and_contacts_after_two_counts_unchanged(training, organiser, make_event):
    t, walk_in = _ended_training(training, organiser)
    kept = t.registrations[1].participant
    later = make_event(title="Rakor 2029", sessions=((t.day(1) + timedelta(days=600), time(9), time(12)),),
                       status=EventStatus.PUBLISHED)
    registrations.sign_up(t.board, later.id, [kept.id])
    db.session.commit()
    counts = _counts(t.event)
    ended = datetime.combine(t.day(1), time(12), tzinfo=UTC)
    office = t.event.office_id

    after_a_year = _run(ended + timedelta(days=370))
    assert after_a_year[office]["registrations.walk_ins"] == 1
    assert after_a_year[office]["registrations.contacts"] == 0
    people = _people()
    assert people[walk_in.participant_id] == (ANONYMISED_NAME, None, True)
    assert not people[t.registrations[0].participant_id][2]

    after_two_years = _run(ended + timedelta(days=740))
    assert after_two_years[office]["registrations.contacts"] == 2  # not the one who came back in 2029
    people = _people()
    assert people[t.registrations[0].participant_id] == (ANONYMISED_NAME, None, True)
    assert people[kept.id][0].startswith("Peserta") and people[kept.id][1]
    assert _counts(t.event) == counts
    certificate = db.session.scalar(sa.select(Certificate))
    assert certificate.full_name.startswith("Peserta")

    again = _run(ended + timedelta(days=740))
    assert set(again[office].values()) == {0}
    assert _people() == people


def test_a_dry_run_counts_and_changes_nothing_a_real_run_is_audited(training, organiser):
    t, _walk_in = _ended_training(training, organiser)
    now = datetime.combine(t.day(1), time(12), tzinfo=UTC) + timedelta(days=800)
    before = _people()
    dry = run_retention(now, dry_run=True)
    db.session.rollback()
    assert dry[t.event.office_id]["registrations.contacts"] == 3
    assert _people() == before
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "privacy.retention_run")) == 0
    _run(now)
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "privacy.retention_run"))
    assert entry.office_id == t.event.office_id and entry.after["registrations.contacts"] == 3


def test_an_office_with_shorter_periods_forgets_sooner(training, organiser):
    t, _walk_in = _ended_training(training, organiser)
    db.session.add(PrivacySettings(office_id=t.event.office_id, contact_days=30, walk_in_days=30, survey_days=30,
                                   photo_days=30, session_days=30))
    db.session.commit()
    now = datetime.combine(t.day(1), time(12), tzinfo=UTC) + timedelta(days=31)
    assert _run(now)[t.event.office_id]["registrations.contacts"] == 3


def test_ended_logins_go_after_the_offices_period(app, make_user):
    user = make_user()
    now = datetime(2027, 6, 1, tzinfo=UTC)
    for ended in (now - timedelta(days=31), now - timedelta(days=5)):
        db.session.add(LoginSession(token_hash=f"h{ended.day}", user_id=user.id, created_at=ended,
                                    last_seen_at=ended, ended_at=ended))
    db.session.commit()
    assert _run(now)[user.office_id]["accounts.ended_sessions"] == 1
    assert [s.ended_at.day for s in db.session.scalars(sa.select(LoginSession))] == [(now - timedelta(days=5)).day]


def test_the_worker_job_runs_at_most_once_an_interval(app, training, organiser):
    t, _walk_in = _ended_training(training, organiser)
    app.config["PRIVACY_RETENTION_INTERVAL_SECONDS"] = 500 * 86400
    ended = datetime.combine(t.day(1), time(12), tzinfo=UTC)
    retention_job(ended + timedelta(days=400))  # the walk-in's year is past
    assert sum(p[2] for p in _people().values()) == 1
    retention_job(ended + timedelta(days=800))  # contacts are due, but within the interval: skipped
    assert sum(p[2] for p in _people().values()) == 1
    retention_job(ended + timedelta(days=1000))
    assert sum(p[2] for p in _people().values()) == 4


def test_the_command_line_dry_run_changes_nothing(app, runner, training, organiser):
    t, _walk_in = _ended_training(training, organiser)
    app.config["PORTAL_CLOCK"] = lambda: datetime.combine(t.day(1), time(12), tzinfo=UTC) + timedelta(days=800)
    before = _people()
    result = runner.invoke(args=["privacy", "retention", "--dry-run"])
    assert result.exit_code == 0 and "registrations.contacts 3" in result.output and "dry run" in result.output
    assert _people() == before
    result = runner.invoke(args=["privacy", "retention"])
    assert result.exit_code == 0 and "registrations.contacts 3" in result.output
    assert sum(p[2] for p in _people().values()) == 4


def test_survey_comments_and_event_photos_go_after_their_periods_ratings_stay(finished_training, organiser):
    """The two rules issue 28's capabilities register: a year after the event the comments and own
    topics are blanked (ratings and results stay); three years after it the photos and their files
    are deleted; a second run changes nothing."""
    from portal.files.models import StoredFile
    from portal.minutes import services as minutes
    from portal.minutes.models import EventPhoto
    from portal.surveys import results
    from portal.surveys import services as surveys
    from portal.surveys.models import SurveyResponse
    from tests.certificate_fixtures import PAST_DAY
    from tests.test_minutes import photo_with_gps

    t = finished_training([["present", "present", "present"]])
    [registration] = t.registrations
    surveys.submit_answer(registration, {"ratings": [5, 4, 3, 4], "comment": "Ibu Maria sangat membantu",
                                         "other_topic": "Koperasi Maria"}, PAST_DAY)
    minutes.add_photo(organiser, t.event, "a.jpg", photo_with_gps("JPEG", (80, 60)), "Ibu Maria di depan")
    db.session.commit()
    survey = surveys.survey_of(t.event.id)
    before = results.results(survey)
    ended = datetime.combine(t.event.ends_on, time(12), tzinfo=UTC)

    assert _run(ended + timedelta(days=300))[t.event.office_id]["surveys.answers"] == 0
    assert _run(ended + timedelta(days=400))[t.event.office_id]["surveys.answers"] == 1
    db.session.expire_all()
    response = db.session.scalar(sa.select(SurveyResponse))
    assert (response.comment, response.other_topic) == (None, None)
    assert [rating.value for rating in response.ratings] == [5, 4, 3, 4]
    after = results.results(survey)
    assert (after.responses, after.ratings, after.topics) == (before.responses, before.ratings, before.topics)
    assert (after.other_topics, after.comments) == ([], [])
    assert db.session.scalar(sa.select(sa.func.count()).select_from(EventPhoto)) == 1

    assert _run(ended + timedelta(days=1200))[t.event.office_id]["minutes.photos"] == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(EventPhoto)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(StoredFile)) == 0
    assert all(count == 0 for count in _run(ended + timedelta(days=1300))[t.event.office_id].values())
