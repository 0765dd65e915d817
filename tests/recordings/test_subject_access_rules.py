from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from recordings.retention import LONDON
from recordings.subject_access import (
    AccessRequestRuleError,
    InvalidNhsNumber,
    bank_holidays,
    clock_start,
    due_date,
    extended_due_date,
    flag,
    london_today,
    next_working_day,
    validate_nhs_number,
)


@pytest.mark.parametrize(
    ("day", "name"),
    [
        (date(2026, 4, 3), "Good Friday"),
        (date(2026, 4, 6), "Easter Monday"),
        (date(2026, 5, 25), "Spring Bank Holiday"),
        (date(2026, 12, 25), "Christmas Day"),
        (date(2026, 12, 28), "Boxing Day (observed)"),
        (date(2027, 1, 1), "New Year's Day"),
    ],
)
def test_the_calendar_knows_england_and_wales_bank_holidays(day, name):
    assert bank_holidays().get(day) == name


def test_scottish_only_holidays_are_working_days():
    assert date(2026, 1, 2) not in bank_holidays()  # 2 January is a holiday in Scotland only
    assert date(2026, 8, 3) not in bank_holidays()  # Scotland's summer bank holiday


@pytest.mark.parametrize(
    ("received", "due"),
    [
        (date(2025, 6, 10), date(2025, 7, 10)),  # Thursday: no move
        (date(2025, 1, 31), date(2025, 2, 28)),  # no 31 Feb: last day, a Friday
        (date(2024, 1, 30), date(2024, 2, 29)),  # leap year: Thursday 29 Feb
        (date(2024, 1, 31), date(2024, 2, 29)),
        (date(2025, 3, 31), date(2025, 4, 30)),  # no 31 Apr: Wednesday 30 Apr
        (date(2025, 2, 1), date(2025, 3, 3)),  # Saturday 1 Mar -> Monday
        (date(2025, 12, 24), date(2026, 1, 26)),  # Saturday 24 Jan -> Monday 26 Jan
        (date(2026, 4, 25), date(2026, 5, 26)),  # Spring bank holiday Monday -> Tuesday
        (date(2026, 4, 23), date(2026, 5, 26)),  # Saturday before the bank holiday weekend
        (date(2026, 3, 3), date(2026, 4, 7)),  # Good Friday, weekend, Easter Monday
        (date(2026, 11, 25), date(2026, 12, 29)),  # Christmas Fri, weekend, Boxing Day observed
        (date(2025, 11, 26), date(2025, 12, 29)),  # Boxing Day Friday, weekend
        (date(2026, 12, 1), date(2027, 1, 4)),  # New Year's Day Friday, weekend
    ],
)
def test_due_date_follows_the_ico_rule(received, due):
    assert due_date(received) == due
    assert due.weekday() < 5 and due not in bank_holidays()


def test_due_date_accepts_another_holiday_calendar():
    assert due_date(date(2026, 11, 25), holidays_calendar=set()) == date(2026, 12, 25)
    assert due_date(date(2025, 6, 10), holidays_calendar={date(2025, 7, 10)}) == date(2025, 7, 11)


def test_next_working_day_keeps_a_working_day():
    assert next_working_day(date(2026, 12, 24)) == date(2026, 12, 24)


def test_clock_starts_on_receipt_when_no_identity_check_is_needed():
    assert clock_start(date(2025, 1, 31), None, identity_pending=False) == date(2025, 1, 31)


def test_clock_does_not_start_while_identity_is_pending():
    assert clock_start(date(2025, 1, 31), None, identity_pending=True) is None


@pytest.mark.parametrize("pending", [True, False])
def test_clock_starts_on_the_day_identity_is_verified(pending):
    start = clock_start(date(2025, 12, 20), date(2025, 12, 24), identity_pending=pending)
    assert start == date(2025, 12, 24)
    assert due_date(start) == date(2026, 1, 26)


def test_clock_never_starts_before_receipt():
    assert clock_start(date(2025, 3, 5), date(2025, 3, 1), identity_pending=True) == date(
        2025, 3, 5
    )


@pytest.mark.parametrize(
    ("start", "months", "today", "extended_due"),
    [
        (date(2025, 1, 31), 1, date(2025, 2, 10), date(2025, 3, 31)),
        (date(2025, 1, 31), 2, date(2025, 2, 10), date(2025, 4, 30)),
        (date(2026, 2, 25), 2, date(2026, 3, 1), date(2026, 5, 26)),  # bank holiday Monday
        (date(2025, 1, 31), 2, date(2025, 2, 28), date(2025, 4, 30)),  # on the due date itself
    ],
)
def test_one_extension_by_one_or_two_months(start, months, today, extended_due):
    assert extended_due_date(start, months, today) == extended_due


@pytest.mark.parametrize("months", [0, 3, -1, 12])
def test_extension_beyond_two_months_is_rejected(months):
    with pytest.raises(AccessRequestRuleError, match="1 or 2 further months"):
        extended_due_date(date(2025, 1, 31), months, date(2025, 2, 10))


def test_a_second_extension_is_rejected():
    with pytest.raises(AccessRequestRuleError, match="already been extended"):
        extended_due_date(date(2025, 1, 31), 1, date(2025, 2, 10), already_extended=True)


def test_extension_after_expiry_is_rejected():
    with pytest.raises(AccessRequestRuleError, match="2025-02-28 has passed"):
        extended_due_date(date(2025, 1, 31), 2, date(2025, 3, 1))


def test_expiry_follows_the_working_day_move():
    # Due Tuesday 29 Dec 2026 (after Christmas and Boxing Day): still extendable on 28 Dec.
    assert extended_due_date(date(2026, 11, 25), 1, date(2026, 12, 28)) == date(2027, 1, 25)


@pytest.mark.parametrize(
    ("today", "closed", "expected"),
    [
        (date(2025, 3, 1), False, "overdue"),
        (date(2025, 3, 1), True, None),
        (date(2025, 2, 28), False, "due_soon"),
        (date(2025, 2, 21), False, "due_soon"),
        (date(2025, 2, 20), False, None),
        (date(2025, 2, 25), True, None),
    ],
)
def test_flags_overdue_and_due_within_seven_days(today, closed, expected):
    assert flag(date(2025, 2, 28), today, closed) == expected


@pytest.mark.parametrize(
    ("now", "today"),
    [
        (datetime(2025, 6, 30, 23, 30, tzinfo=UTC), date(2025, 7, 1)),  # BST
        (datetime(2025, 12, 31, 23, 30, tzinfo=UTC), date(2025, 12, 31)),  # GMT
        (datetime(2025, 7, 1, 0, 30, tzinfo=LONDON), date(2025, 7, 1)),
    ],
)
def test_london_today(now, today):
    assert london_today(now) == today


def test_london_today_rejects_naive_datetimes():
    with pytest.raises(ValueError, match="timezone-aware"):
        london_today(datetime(2025, 1, 1))


@pytest.mark.parametrize(
    "value", ["943 476 5919", "9434765919", "943-476-5919", " 943 476 5919 ", "401 023 2137"]
)
def test_valid_nhs_numbers_are_normalised(value):
    assert validate_nhs_number(value) == value.strip().replace(" ", "").replace("-", "")


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("943 476 5918", "check digit is wrong"),  # check digit changed
        ("943 486 5919", "check digit is wrong"),  # another digit changed
        ("943 476 5960", "no check digit fits"),  # remainder 1: check digit would be 10
        ("943 476 591", "has 10 digits"),
        ("943 476 59190", "has 10 digits"),
        ("943 476 591A", "only digits"),
        ("", "only digits"),
        ("٩٤٣٤٧٦٥٩١٩", "only digits"),  # Arabic-Indic digits are not accepted
    ],
)
def test_invalid_nhs_numbers_are_rejected(value, reason):
    with pytest.raises(InvalidNhsNumber, match=reason):
        validate_nhs_number(value)


def test_invalid_nhs_number_is_a_value_error():
    assert issubclass(InvalidNhsNumber, ValueError)


def with_check_digit(prefix: str) -> str | None:
    remainder = sum(int(d) * w for d, w in zip(prefix, range(10, 1, -1), strict=True)) % 11
    check = (11 - remainder) % 11
    return None if check == 10 else prefix + str(check)


nine_digits = st.text(alphabet="0123456789", min_size=9, max_size=9)


@given(nine_digits)
def test_property_a_correct_check_digit_validates(prefix):
    number = with_check_digit(prefix)
    if number is None:
        with pytest.raises(InvalidNhsNumber):
            validate_nhs_number(prefix + "0")
    else:
        assert validate_nhs_number(f"{number[:3]} {number[3:6]} {number[6:]}") == number


@given(nine_digits, st.integers(0, 9), st.integers(1, 9))
def test_property_any_single_digit_change_is_detected(prefix, position, change):
    number = with_check_digit(prefix)
    if number is not None:
        altered = str((int(number[position]) + change) % 10)
        with pytest.raises(InvalidNhsNumber):
            validate_nhs_number(number[:position] + altered + number[position + 1 :])


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 31)))
def test_property_due_date_is_a_working_day_about_a_month_later(start):
    due = due_date(start)
    assert due.weekday() < 5 and due not in bank_holidays()
    assert timedelta(days=28) <= due - start <= timedelta(days=31 + 5)
