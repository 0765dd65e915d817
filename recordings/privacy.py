"""When opening a recording raises a privacy alert (SPEC §6), as a pure rule.

Opening a recording older than the configured age (`PRIVACY_ALERT_AGE_DAYS`), or one of a call
that ended more than 14 days ago, raises an alert; each rule broken is named in its own alert.
"""

from __future__ import annotations

from datetime import datetime, timedelta

__all__ = ["CALL_CLOSED_ALERT_AFTER", "privacy_alert_rules"]

CALL_CLOSED_ALERT_AFTER = timedelta(days=14)


def privacy_alert_rules(
    *,
    recording_started_at: datetime | None,
    call_ended_at: datetime | None,
    now: datetime,
    age_days: int,
) -> list[str]:
    """The names of the privacy-alert rules that opening the recording at `now` breaks."""
    rules = []
    if recording_started_at and now - recording_started_at > timedelta(days=age_days):
        rules.append(f"recording-older-than-{age_days}-days")
    if call_ended_at and now - call_ended_at > CALL_CLOSED_ALERT_AFTER:
        rules.append(f"call-closed-over-{CALL_CLOSED_ALERT_AFTER.days}-days")
    return rules
