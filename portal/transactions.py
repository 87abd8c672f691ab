"""A request is one transaction: how a view runs a service and commits once.

Services flush and never commit; a view hands its service call (a function of no arguments) to
``act``, which commits once, flashes and redirects, or, when a rule refuses (``RuleViolation``),
rolls everything back and shows the refusal next to its form field or on top of the page.
``attempt`` is the same transaction without the response, for a view that answers otherwise
(JSON, a confirmation page).

A destructive action asks first: given ``confirm``, ``act`` answers a post without
``confirmed=1`` with a page that says what will follow and a final button that posts the same
fields again with ``confirmed=1`` (no JavaScript needed), and runs nothing.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import flash, redirect, render_template, request

from portal.errors import RuleViolation, show_violation
from portal.extensions import db


@dataclass(frozen=True)
class Outcome:
    """What a service call came to: its result, or the rule that refused it (all rolled back)."""

    result: Any = None
    violation: RuleViolation | None = None

    @property
    def ok(self) -> bool:
        return self.violation is None


@dataclass(frozen=True)
class Confirmation:
    """What the confirmation page says: the question, what will follow, the final button's
    label, and where "go back" leads."""

    title: str
    consequences: list[str]
    button: str
    back: str


def is_confirmed() -> bool:
    return request.form.get("confirmed") == "1"


def confirmation_page(confirmation: Confirmation):
    """The page between a destructive button and its action; it re-posts the fields it was sent."""
    fields = [(name, value) for name, values in request.form.lists() if name != "confirmed" for value in values]
    return render_template("confirm.html", confirmation=confirmation, fields=fields, action=request.path)


def attempt(call: Callable[[], Any]) -> Outcome:
    """Run ``call()`` and commit; a refusal rolls back and comes back in the outcome."""
    try:
        result = call()
    except RuleViolation as violation:
        db.session.rollback()
        return Outcome(violation=violation)
    db.session.commit()
    return Outcome(result)


def act(call: Callable[[], Any], *, then=None, answer=None, done=None, form=None, back: str | None = None,
        confirm: Callable[[], Confirmation | None] | None = None):
    """Run ``call()`` as the request's transaction and answer with a redirect.

    With a ``form``, nothing runs unless the form validates, and a refusal is put on the form:
    ``act`` returns None and the view renders the page again. Without one, a refusal is flashed
    and the browser goes to ``back`` (by default ``then``).

    On success ``done`` is flashed: a message, or a function of the service's result that gives
    a message, a ``(message, category)`` pair, or None when it flashed what it had to say. The
    browser then goes to ``then``: a URL, or a function of the result that gives one; or, for a
    page that confirms at once (a check-in at the door), ``answer(result)`` is the response.

    With ``confirm``, a valid post that is not yet confirmed gets the confirmation page of
    ``confirm()`` instead (which may give None: nothing to ask, run it now).
    """
    if form is not None and not form.validate_on_submit():
        return None
    if confirm is not None and not is_confirmed():
        confirmation = confirm()
        if confirmation is not None:
            return confirmation_page(confirmation)
    outcome = attempt(call)
    if not outcome.ok:
        if form is not None:
            show_violation(form, outcome.violation)
            return None
        flash(outcome.violation.message, "danger")
        return redirect(back or then)
    _flash_done(done(outcome.result) if callable(done) else done)
    if answer is not None:
        return answer(outcome.result)
    return redirect(then(outcome.result) if callable(then) else then)


def _flash_done(message) -> None:
    if message is None:
        return
    text, category = message if isinstance(message, tuple) else (message, "success")
    flash(text, category)
