"""Retention rules for call recordings and call metadata (SPEC §7), as pure functions."""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

__all__ = [
    "LONDON",
    "OVERDUE_AFTER",
    "DeletionRule",
    "add_calendar_months",
    "delete_after",
    "is_due",
    "is_overdue",
    "metadata_expires_at",
    "metadata_rule_name",
    "retention_rule_name",
]

LONDON = ZoneInfo("Europe/London")
OVERDUE_AFTER = timedelta(hours=24)


class DeletionRule(StrEnum):
    """Fixed rule names written into deletion records (besides the retention period rules)."""

    OPTED_OUT = "opt-out:discarded"
    TWILIO_COPY = "twilio:copy-after-ingest"
    TWILIO_UNKNOWN_EXPIRED = "twilio:unknown-past-retention"


def retention_rule_name(months: int = 6, *, after_hold: bool = False) -> str:
    """Rule name for a recording deleted at the end of its retention period."""
    name = f"retention:{months}-months"
    return f"{name}:after-hold" if after_hold else name


def metadata_rule_name(years: int = 6) -> str:
    """Rule name for call metadata deleted or anonymised after the caller's last contact."""
    return f"metadata:{years}-years-after-last-contact"


def add_calendar_months(d: date, months: int) -> date:
    """Same day of the month N months later, clamped to the last day of the target month."""
    month_index = d.month - 1 + months
    year, month = d.year + month_index // 12, month_index % 12 + 1
    day = min(d.day, calendar.monthrange(year, month)[1])
    return d.replace(year=year, month=month, day=day)


def delete_after(started_at: datetime, months: int = 6) -> datetime:
    """When a recording started at `started_at` is due for deletion, in Europe/London.

    The start's London calendar date plus `months` calendar months (clamped to the
    month's last day) at the same London wall time. Where that wall time does not
    exist (spring-forward gap) or occurs twice (fall-back fold), the later of its two
    possible instants is chosen, so a recording is never deleted early: a time in the
    gap moves forward by the gap's length (01:30 becomes 02:30 BST) and an ambiguous
    time takes its second occurrence (fold=1, GMT).
    """
    return _same_wall_time_months_later(_require_aware(started_at, "started_at"), months)


def metadata_expires_at(last_contact: datetime, years: int = 6) -> datetime:
    """When call metadata may be deleted: `years` calendar years after the last contact."""
    return _same_wall_time_months_later(_require_aware(last_contact, "last_contact"), 12 * years)


def is_due(delete_after: datetime, now: datetime, held: bool) -> bool:
    """Whether a recording may be deleted now: its time has come and no legal hold covers it."""
    return not held and _utc(delete_after, "delete_after") <= _utc(now, "now")


def is_overdue(delete_after: datetime, now: datetime, held: bool) -> bool:
    """Whether a recording has been due for more than 24 hours without being held."""
    return not held and _utc(now, "now") - _utc(delete_after, "delete_after") > OVERDUE_AFTER


def _same_wall_time_months_later(moment: datetime, months: int) -> datetime:
    """London wall time of `moment`, `months` calendar months later, at its later instant."""
    local = moment.astimezone(LONDON)
    day = add_calendar_months(local.date(), months)
    target = local.replace(year=day.year, month=day.month, day=day.day, fold=0)
    # In a gap, zoneinfo reads fold=0 with the offset before the change (the later
    # instant); in a fold, fold=1 is the second occurrence. Elsewhere both agree.
    latest = max(target, target.replace(fold=1), key=lambda candidate: candidate.astimezone(UTC))
    return latest.astimezone(UTC).astimezone(LONDON)


def _require_aware(moment: datetime, name: str) -> datetime:
    """Return `moment` unchanged, refusing naive datetimes."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got naive {moment.isoformat()}")
    return moment


def _utc(moment: datetime, name: str) -> datetime:
    """The instant `moment` in UTC (comparisons in one zone ignore fold, so compare in UTC)."""
    return _require_aware(moment, name).astimezone(UTC)
