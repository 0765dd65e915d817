"""Subject access request rules (SPEC §8): clock start, ICO due dates, extensions, flags."""

from __future__ import annotations

import re
from collections.abc import Container
from datetime import date, datetime, timedelta
from functools import cache

import holidays

from recordings.retention import LONDON, add_calendar_months

__all__ = [
    "DUE_SOON_WITHIN",
    "EXTENSION_MONTHS",
    "AccessRequestRuleError",
    "InvalidNhsNumber",
    "bank_holidays",
    "clock_start",
    "due_date",
    "extended_due_date",
    "flag",
    "london_today",
    "next_working_day",
    "validate_nhs_number",
]

DUE_SOON_WITHIN = timedelta(days=7)
EXTENSION_MONTHS = (1, 2)
_NHS_NUMBER_CHARACTERS = re.compile(r"[0-9 \-]+")


class AccessRequestRuleError(Exception):
    """A subject access request change the ICO rules do not allow."""


class InvalidNhsNumber(ValueError):
    """A string that is not a valid NHS number."""


@cache
def bank_holidays() -> holidays.HolidayBase:
    """England-and-Wales bank holidays (the same statutory list for ENG and WLS), cached."""
    return holidays.country_holidays("GB", subdiv="ENG")


def next_working_day(day: date, holidays_calendar: Container[date] | None = None) -> date:
    """`day` itself, or the first following day that is not a weekend or bank holiday."""
    closed = bank_holidays() if holidays_calendar is None else holidays_calendar
    while day.weekday() >= 5 or day in closed:
        day += timedelta(days=1)
    return day


def london_today(now: datetime) -> date:
    """The Europe/London calendar date at the instant `now`."""
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError(f"now must be timezone-aware, got naive {now.isoformat()}")
    return now.astimezone(LONDON).date()


def clock_start(
    received: date, identity_verified_on: date | None, identity_pending: bool
) -> date | None:
    """The day the response clock starts: receipt, or identity verification when it was needed.

    None while identity is still to be verified; never earlier than the day received.
    """
    if identity_verified_on is not None:
        return max(received, identity_verified_on)
    if identity_pending:
        return None
    return received


def due_date(clock_start: date, holidays_calendar: Container[date] | None = None) -> date:
    """ICO due date: the corresponding date next month (clamped), moved to a working day."""
    return _due_after_months(clock_start, 1, holidays_calendar)


def extended_due_date(
    clock_start: date,
    months: int,
    today: date,
    *,
    already_extended: bool = False,
    holidays_calendar: Container[date] | None = None,
    current_due: date | None = None,
) -> date:
    """Due date after the one allowed extension by 1 or 2 further months, made before expiry:
    before `current_due` has passed when given (a due date moved by pauses), else before the
    one-month due date of `clock_start`."""
    if months not in EXTENSION_MONTHS:
        raise AccessRequestRuleError(
            f"an extension must be by 1 or 2 further months, not {months!r}"
        )
    if already_extended:
        raise AccessRequestRuleError("the due date has already been extended once")
    current_due = current_due or due_date(clock_start, holidays_calendar)
    if today > current_due:
        raise AccessRequestRuleError(
            f"the due date {current_due.isoformat()} has passed and can no longer be extended"
        )
    return _due_after_months(clock_start, 1 + months, holidays_calendar)


def flag(due: date, today: date, closed: bool) -> str | None:
    """'overdue' past the due date, 'due_soon' within 7 days of it; None when closed or later."""
    if closed:
        return None
    if today > due:
        return "overdue"
    if due - today <= DUE_SOON_WITHIN:
        return "due_soon"
    return None


def validate_nhs_number(value: str) -> str:
    """The 10-digit NHS number in `value` (spaces and hyphens allowed), check digit verified."""
    if not _NHS_NUMBER_CHARACTERS.fullmatch(value.strip()):
        raise InvalidNhsNumber(f"an NHS number has only digits, spaces and hyphens: {value!r}")
    digits = re.sub(r"[ \-]", "", value.strip())
    if len(digits) != 10:
        raise InvalidNhsNumber(f"an NHS number has 10 digits, {value!r} has {len(digits)}")
    remainder = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True)) % 11
    check = (11 - remainder) % 11
    if check == 10:
        raise InvalidNhsNumber(f"{value!r} is not an NHS number: no check digit fits its digits")
    if check != int(digits[9]):
        raise InvalidNhsNumber(f"{value!r} is not an NHS number: its check digit is wrong")
    return digits


def _due_after_months(
    clock_start: date, months: int, holidays_calendar: Container[date] | None
) -> date:
    """Clock start plus calendar months (clamped), moved to the next working day."""
    return next_working_day(add_calendar_months(clock_start, months), holidays_calendar)
