"""Demo evaluation: the earliest completed training of the demo opens its evaluation and about
two thirds of its participants answer it, a few days after the event. Safe to run again: a
training whose evaluation is open already is left alone."""

import random
from datetime import timedelta

from sqlalchemy import select

from portal.events.models import Event, EventKind, EventStatus
from portal.extensions import db
from portal.registrations.models import ATTENDING_STATUSES, Registration
from portal.surveys import services

COMMENTS = ["Materinya sangat bermanfaat untuk pembukuan koperasi kami.",
            "Waktu pelatihan terlalu singkat, mohon ditambah satu hari.",
            "Ruangan panas, mohon disediakan kipas angin.",
            "Narasumber jelas dan mudah dipahami.",
            "Mohon materi dibagikan dalam bentuk cetak.", None, None]


def seed_surveys(actor) -> None:
    training = db.session.scalar(select(Event).where(
        Event.kind == EventKind.TRAINING, Event.status == EventStatus.COMPLETED)
        .order_by(Event.starts_on, Event.id).limit(1))
    if actor is None or training is None or services.survey_of(training.id) is not None:
        return
    survey = services.open_survey(actor, training)
    rng = random.Random(training.id)
    registrations = db.session.scalars(select(Registration).where(
        Registration.event_id == training.id, Registration.status.in_(ATTENDING_STATUSES))
        .order_by(Registration.id)).all()
    for registration in registrations:
        if rng.random() > 0.66:
            continue
        ratings = [min(5, max(1, round(rng.gauss(4.1 if n != 2 else 3.2, 0.8)))) for n in range(len(survey.ratings))]
        services.submit_answer(registration, {
            "ratings": ratings, "topics": rng.sample(survey.topics, min(len(survey.topics), rng.randint(0, 2))),
            "comment": rng.choice(COMMENTS)}, training.ends_on + timedelta(days=rng.randint(1, 4)))
