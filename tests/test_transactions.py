"""The views' one transaction helper: a refusal rolls back and is shown, success commits once,
flashes and redirects."""

from flask import get_flashed_messages
from sqlalchemy import func, select
from wtforms import StringField

from portal.accounts.models import Role, User
from portal.errors import RuleViolation
from portal.extensions import db
from portal.forms import Form
from portal.transactions import act, attempt


class NameForm(Form):
    name = StringField()


def _add_user(name: str) -> User:
    user = User(email=f"{name.lower()}@example.org", full_name=name, password_hash="-", role=Role.ORGANISER)
    db.session.add(user)
    db.session.flush()
    return user


def _refuse(field: str | None):
    def call():
        _add_user("Ditolak")
        raise RuleViolation(field, "Tidak boleh.")
    return call


def _users_named(name: str) -> int:
    return db.session.scalar(select(func.count()).select_from(User).where(User.full_name == name))


def test_a_refusal_on_a_form_is_rolled_back_and_shown_next_to_its_field(app):
    with app.test_request_context(method="POST", data={"name": "x"}):
        form = NameForm()
        assert act(_refuse("name"), form=form, then="/done") is None
        assert form.name.errors == ["Tidak boleh."]
        assert get_flashed_messages() == []
    assert _users_named("Ditolak") == 0


def test_a_refusal_without_a_field_is_flashed_and_the_browser_goes_back(app):
    with app.test_request_context(method="POST"):
        response = act(_refuse(None), then="/done", back="/again")
        assert (response.status_code, response.location) == (302, "/again")
        assert get_flashed_messages(with_categories=True) == [("danger", "Tidak boleh.")]
    assert _users_named("Ditolak") == 0


def test_an_invalid_form_runs_nothing(app):
    calls = []
    with app.test_request_context(method="GET"):
        assert act(lambda: calls.append(1), form=NameForm(), then="/done") is None
    assert calls == []


def test_success_commits_once_flashes_and_redirects_by_the_result(app):
    with app.test_request_context(method="POST"):
        response = act(lambda: _add_user("Diterima"), done=lambda user: (f"{user.full_name} disimpan.", "info"),
                       then=lambda user: f"/admin/users/{user.id}")
        assert response.status_code == 302 and response.location.startswith("/admin/users/")
        assert get_flashed_messages(with_categories=True) == [("info", "Diterima disimpan.")]
    db.session.rollback()  # what was committed stays
    assert _users_named("Diterima") == 1


def test_attempt_gives_the_result_or_the_violation(app):
    with app.test_request_context(method="POST"):
        assert attempt(lambda: 7).result == 7
        refused = attempt(_refuse("name"))
        assert not refused.ok and refused.violation.field == "name"
