"""The office's privacy settings (retention periods, notice text) and the retention run."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from portal.audit.services import record_change
from portal.database import begin_write
from portal.errors import RuleViolation
from portal.extensions import db
from portal.offices.models import Office
from portal.privacy.models import DEFAULT_RETENTION_DAYS, PrivacySettings
from portal.seams import RETENTION_RULES, registered

RETENTION_FIELDS = tuple(DEFAULT_RETENTION_DAYS)
MIN_DAYS, MAX_DAYS = 1, 3650


def settings_of(office_id: int) -> PrivacySettings:
    """The office's privacy settings; the documented defaults (not stored) when it has none."""
    found = db.session.get(PrivacySettings, office_id)
    if found is None:
        found = PrivacySettings(office_id=office_id, notice_id=None, notice_en=None, **DEFAULT_RETENTION_DAYS)
    return found


def update_privacy_settings(actor, office: Office, values: dict) -> PrivacySettings:
    """Save the office's retention periods (days, 1..3650) and notice texts, audited."""
    for field in RETENTION_FIELDS:
        days = values.get(field)
        if not isinstance(days, int) or not MIN_DAYS <= days <= MAX_DAYS:
            raise RuleViolation(field, _("Give a number of days from %(low)d to %(high)d.",
                                         low=MIN_DAYS, high=MAX_DAYS))
    settings = db.session.get(PrivacySettings, office.id)
    if settings is None:
        settings = PrivacySettings(office_id=office.id)
        db.session.add(settings)
        db.session.flush()
    fields = [*RETENTION_FIELDS, "notice_id", "notice_en"]
    before = {field: getattr(settings, field) for field in fields}
    for field in fields:
        value = values.get(field)
        setattr(settings, field, (value.strip() or None) if isinstance(value, str) else value)
    record_change(actor, "privacy.settings_updated", settings, before, {f: getattr(settings, f) for f in fields},
                  office_id=office.id)
    return settings


@dataclass(frozen=True)
class RetentionRule:
    """One kind of personal data an office keeps for a time: ``setting`` names the period (a field
    of ``PrivacySettings``); ``apply(now, office, days, dry_run)`` removes or anonymises what is
    past it in ``office`` and returns how many rows it changed (or would change), touching nothing
    already done (a second run counts 0). A capability registers its rule at ``RETENTION_RULES``:

        register(app, RETENTION_RULES, RetentionRule("surveys.answers", "survey_days", forget_answers))
    """

    name: str
    setting: str
    apply: Callable[[datetime, Office, int, bool], int]


def run_retention(now: datetime, *, dry_run: bool = False, audit_empty: bool = True) -> dict:
    """Apply every registered rule to every office: {office_id: {rule: count}}. A real run writes
    one audit entry per office (``privacy.retention_run``, naming the counts), or, without
    ``audit_empty``, only for the offices where it changed something; a dry run writes nothing
    (its counts are what a run would change). Flushes; the caller commits."""
    results = {}
    for office in db.session.scalars(select(Office).order_by(Office.id)).all():
        settings = settings_of(office.id)
        counts = {rule.name: rule.apply(now, office, getattr(settings, rule.setting), dry_run)
                  for rule in registered(RETENTION_RULES)}
        if not dry_run and (audit_empty or any(counts.values())):
            record_change(None, "privacy.retention_run", office, None, {"at": now.isoformat(), **counts},
                          office_id=office.id)
        results[office.id] = counts
    return results


_LAST_RUN = "privacy_retention_last_run"


def retention_job(now: datetime) -> None:
    """The mail worker's periodic job: the retention run, in its own transaction, at most once per
    ``PRIVACY_RETENTION_INTERVAL_SECONDS`` in a worker process (the worker passes every few
    seconds). Idempotent, so two workers running it at once change each row once."""
    last = current_app.extensions.get(_LAST_RUN)
    if last is not None and (now - last).total_seconds() < current_app.config["PRIVACY_RETENTION_INTERVAL_SECONDS"]:
        return
    begin_write(db.session)
    run_retention(now, audit_empty=False)
    db.session.commit()
    current_app.extensions[_LAST_RUN] = now
