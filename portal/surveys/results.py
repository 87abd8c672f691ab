"""An event's evaluation results: per rating its average and how many gave 1 to 5 (one grouped
query), how often each topic was chosen, the free texts, and the table for CSV and XLSX."""

from collections import Counter
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import func, select

from portal.extensions import db
from portal.surveys.models import Survey, SurveyRating, SurveyResponse

COMMENTS_SHOWN = 200


@dataclass
class RatingResult:
    question: str
    counts: dict[int, int] = field(default_factory=lambda: dict.fromkeys(range(1, 6), 0))

    @property
    def answers(self) -> int:
        return sum(self.counts.values())

    @property
    def average(self) -> float | None:
        return sum(value * n for value, n in self.counts.items()) / self.answers if self.answers else None

    def share(self, value: int) -> float:
        return self.counts[value] / self.answers if self.answers else 0.0


@dataclass
class Results:
    responses: int
    ratings: list[RatingResult]
    topics: list[tuple[str, int]]
    other_topics: list[str]
    comments: list[str]


def results(survey: Survey) -> Results:
    ratings = [RatingResult(question) for question in survey.ratings]
    grouped = db.session.execute(
        select(SurveyRating.position, SurveyRating.value, func.count())
        .join(SurveyResponse, SurveyResponse.id == SurveyRating.response_id)
        .where(SurveyResponse.survey_id == survey.id)
        .group_by(SurveyRating.position, SurveyRating.value))
    for position, value, n in grouped:
        if position < len(ratings):
            ratings[position].counts[value] = n
    rows = db.session.execute(select(SurveyResponse.topics, SurveyResponse.other_topic, SurveyResponse.comment)
                              .where(SurveyResponse.survey_id == survey.id)
                              .order_by(SurveyResponse.id.desc())).all()
    chosen = Counter(topic for row in rows for topic in row.topics or [])
    return Results(responses=len(rows), ratings=ratings,
                   topics=[(topic, chosen.get(topic, 0)) for topic in survey.topics],
                   other_topics=[row.other_topic for row in rows if row.other_topic],
                   comments=[row.comment for row in rows if row.comment][:COMMENTS_SHOWN])


def table(survey: Survey) -> tuple[list[str], list[list]]:
    """One row per answer, in the order given: day, each rating, topics, other topic, free text
    (and the person, on a named survey)."""
    header = [_("Date"), *survey.ratings, survey.topics_question, _("Other topic"), survey.comment_question]
    responses = db.session.scalars(select(SurveyResponse).where(SurveyResponse.survey_id == survey.id)
                                   .order_by(SurveyResponse.id)).all()
    values = {(rating.response_id, rating.position): rating.value for rating in db.session.scalars(
        select(SurveyRating).join(SurveyResponse).where(SurveyResponse.survey_id == survey.id))}
    rows = [[response.submitted_on, *[values.get((response.id, n)) for n in range(len(survey.ratings))],
             "; ".join(response.topics or []), response.other_topic or "", response.comment or ""]
            for response in responses]
    return header, rows
