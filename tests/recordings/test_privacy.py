"""When opening a recording raises a privacy alert: older than the configured age, or of a call
closed more than 14 days ago (SPEC §6)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from recordings.privacy import privacy_alert_rules

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
OLD = "recording-older-than-30-days"
CLOSED = "call-closed-over-14-days"


def rules(started_days_ago: float | None, ended_days_ago: float | None, age: int = 30) -> list:
    def ago(days: float | None) -> datetime | None:
        return None if days is None else NOW - timedelta(days=days)

    return privacy_alert_rules(
        recording_started_at=ago(started_days_ago),
        call_ended_at=ago(ended_days_ago),
        now=NOW,
        age_days=age,
    )


@pytest.mark.parametrize(
    ("started", "ended", "expected"),
    [
        (1, 1, []),
        (30, 14, []),
        (30.001, 1, [OLD]),
        (15, 14.001, [CLOSED]),
        (31, 15, [OLD, CLOSED]),
        (None, None, []),
        (31, None, [OLD]),
        (None, 15, [CLOSED]),
    ],
)
def test_rules_broken(started, ended, expected):
    assert rules(started, ended) == expected


def test_the_age_is_configured_and_named_in_the_rule():
    assert rules(8, None, age=7) == ["recording-older-than-7-days"]
    assert rules(8, None, age=90) == []
