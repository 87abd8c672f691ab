from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, RadioField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from portal.forms import Form


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class TicketCodeForm(Form):
    code = StringField(_l("Ticket code"), validators=[DataRequired(), Length(max=20)],
                       description=_l("The six letters and digits on your ticket or in your confirmation email."))


class OpenSurveyForm(Form):
    is_anonymous = BooleanField(_l("Anonymous: answers do not keep who gave them"), default=True)


class SurveyTemplateForm(Form):
    ratings = TextAreaField(_l("Questions rated 1 to 5, one a line"), validators=[DataRequired()])
    topics_question = StringField(_l("Question about the topics needed next"),
                                  validators=[DataRequired(), Length(max=200)])
    topics = TextAreaField(_l("Topics to choose from, one a line"), validators=[Optional()])
    comment_question = StringField(_l("Question for free text"), validators=[DataRequired(), Length(max=200)])

    def values(self) -> dict:
        return {name: getattr(self, name).data for name in ("ratings", "topics_question", "topics",
                                                            "comment_question")}


def answer_form(survey, *args, **kwargs):
    """The survey's own form: one radio group 1-5 per rating question, its topics as checkboxes."""

    class AnswerForm(Form):
        topics = CheckboxesField(survey.topics_question, choices=[(topic, topic) for topic in survey.topics],
                                 validate_choice=False)
        other_topic = StringField(_l("Another topic"), validators=[Optional(), Length(max=200)])
        comment = TextAreaField(survey.comment_question, validators=[Optional(), Length(max=4000)])

        def values(self) -> dict:
            return {"ratings": [getattr(self, f"rating_{n}").data for n in range(len(survey.ratings))],
                    "topics": self.topics.data, "other_topic": self.other_topic.data, "comment": self.comment.data}

        def rating_fields(self):
            return [getattr(self, f"rating_{n}") for n in range(len(survey.ratings))]

    for position, question in enumerate(survey.ratings):
        setattr(AnswerForm, f"rating_{position}", RadioField(
            question, choices=[(value, str(value)) for value in range(1, 6)], coerce=int,
            validators=[InputRequired(_l("Choose a rating from 1 to 5."))]))
    return AnswerForm(*args, **kwargs)
