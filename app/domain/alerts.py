"""Privacy alerts closed by a records officer (SPEC §6, §12): legitimate, or a breach.

A breach must be reported to the ICO within 72 hours of our becoming aware of it (counted,
cautiously, from when the alert was raised), and the caller told unless that is not required;
both are recorded later on the alert: done (with the time) or not required (with the reason).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy.orm import Session

from app.domain import audit
from app.models import PrivacyAlert

__all__ = [
    "ICO_DEADLINE",
    "AlertConflict",
    "AlertError",
    "AlertInvalid",
    "Outcome",
    "close_alert",
    "ico_deadline",
    "record_ico_report",
    "record_subject_told",
]

ICO_DEADLINE = timedelta(hours=72)


class Outcome(StrEnum):
    """What the officer found the access to be."""

    LEGITIMATE = "legitimate"
    BREACH = "breach"


class AlertError(Exception):
    """A change the alert's state does not allow."""


class AlertConflict(AlertError):
    """The alert is not in a state where this can happen (HTTP 409)."""


class AlertInvalid(AlertError):
    """The input does not describe a valid change (HTTP 422)."""


def ico_deadline(alert: PrivacyAlert) -> datetime | None:
    """When a breach must be reported to the ICO by; None unless a breach."""
    return alert.raised_at + ICO_DEADLINE if alert.outcome == Outcome.BREACH else None


def _audit(session: Session, alert: PrivacyAlert, actor: str, action: str, **details: object):
    audit.record(
        session,
        actor=actor,
        action=action,
        subject_type="privacy_alert",
        subject_id=str(alert.id),
        details={"recording_id": alert.recording_id, **details},
    )


def _note(note: str | None, what: str) -> str:
    if not (note or "").strip():
        raise AlertInvalid(f"{what} needs a note")
    return (note or "").strip()


def close_alert(
    session: Session, alert: PrivacyAlert, outcome: str, note: str, *, actor: str, now: datetime
) -> PrivacyAlert:
    """Close the alert as legitimate or a breach, with a note."""
    if alert.outcome is not None:
        raise AlertConflict(f"alert {alert.id} is already closed as {alert.outcome}")
    if outcome not in set(Outcome):
        raise AlertInvalid("the outcome is legitimate or breach")
    alert.outcome, alert.outcome_note = outcome, _note(note, "closing an alert")
    alert.closed_by, alert.acknowledged_at = actor, now
    _audit(session, alert, actor, "privacy_alert.close", outcome=outcome, note=alert.outcome_note)
    return alert


def _breach(alert: PrivacyAlert) -> None:
    if alert.outcome != Outcome.BREACH:
        raise AlertConflict(f"alert {alert.id} is not closed as a breach")


def _follow_up(
    session: Session, alert: PrivacyAlert, step: str, done: bool, note: str | None, **kw: object
) -> None:
    """Record a breach's ICO report or caller told (`step`): done now, or not required, why."""
    _breach(alert)
    at = "ico_reported_at" if step == "ico_report" else f"{step}_at"
    note_field, what = f"{step}_note", step.replace("_", " ")
    if getattr(alert, at) is not None or getattr(alert, note_field) is not None:
        raise AlertConflict(f"{what} is already recorded")
    text = (note or "").strip() or None if done else _note(note, f"{what} not required")
    setattr(alert, at, kw["now"] if done else None)
    setattr(alert, note_field, text)
    _audit(session, alert, str(kw["actor"]), f"privacy_alert.{step}", done=done, note=text)


def record_ico_report(
    session: Session,
    alert: PrivacyAlert,
    reported: bool,
    note: str | None,
    *,
    actor: str,
    now: datetime,
) -> PrivacyAlert:
    """The breach was reported to the ICO (now), or why a report is not required."""
    _follow_up(session, alert, "ico_report", reported, note, actor=actor, now=now)
    return alert


def record_subject_told(
    session: Session,
    alert: PrivacyAlert,
    told: bool,
    note: str | None,
    *,
    actor: str,
    now: datetime,
) -> PrivacyAlert:
    """The caller was told of the breach (now), or why telling them is not required."""
    _follow_up(session, alert, "subject_told", told, note, actor=actor, now=now)
    return alert
