from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from recordings.retention import (
    LONDON,
    DeletionRule,
    add_calendar_months,
    delete_after,
    is_due,
    is_overdue,
    metadata_expires_at,
    metadata_rule_name,
    retention_rule_name,
)

SECOND = timedelta(seconds=1)


def london(*parts: int, fold: int = 0) -> datetime:
    return datetime(*parts, tzinfo=LONDON, fold=fold)


def utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2025, 8, 31), 6, date(2026, 2, 28)),
        (date(2027, 8, 31), 6, date(2028, 2, 29)),
        (date(2024, 2, 29), 6, date(2024, 8, 29)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2024, 2, 29), 48, date(2028, 2, 29)),
        (date(2025, 10, 31), 6, date(2026, 4, 30)),
        (date(2025, 12, 31), 6, date(2026, 6, 30)),
        (date(2025, 3, 30), 6, date(2025, 9, 30)),
        (date(2025, 5, 31), 6, date(2025, 11, 30)),
        (date(2025, 7, 15), 6, date(2026, 1, 15)),
        (date(2025, 12, 1), 1, date(2026, 1, 1)),
        (date(2025, 1, 31), 1, date(2025, 2, 28)),
        (date(2025, 3, 31), -1, date(2025, 2, 28)),
        (date(2025, 1, 15), 0, date(2025, 1, 15)),
    ],
)
def test_add_calendar_months_clamps_to_the_last_day(start, months, expected):
    assert add_calendar_months(start, months) == expected


@pytest.mark.parametrize(
    ("started_at", "expected"),
    [
        (london(2025, 8, 31, 14, 5, 9), london(2026, 2, 28, 14, 5, 9)),
        (london(2023, 8, 31, 9, 0), london(2024, 2, 29, 9, 0)),
        (london(2024, 2, 29, 10, 0), london(2024, 8, 29, 10, 0)),
        (london(2025, 4, 30, 23, 59, 59), london(2025, 10, 30, 23, 59, 59)),
        (london(2025, 5, 31, 8, 0), london(2025, 11, 30, 8, 0)),
        (london(2025, 12, 31, 0, 0), london(2026, 6, 30, 0, 0)),
    ],
)
def test_delete_after_is_six_calendar_months_at_the_same_wall_time(started_at, expected):
    assert delete_after(started_at) == expected


def test_delete_after_uses_the_london_date_not_the_utc_date():
    # 23:30 UTC on 31 Aug is 00:30 BST on 1 Sep in London.
    started_at = datetime(2025, 8, 31, 23, 30, tzinfo=UTC)
    assert delete_after(started_at) == london(2026, 3, 1, 0, 30)


def test_delete_after_keeps_wall_time_across_a_dst_change():
    result = delete_after(london(2026, 1, 15, 9, 0))
    assert result == london(2026, 7, 15, 9, 0)
    assert utc(result) == datetime(2026, 7, 15, 8, 0, tzinfo=UTC)


def test_delete_after_in_the_spring_forward_gap_moves_past_the_gap():
    # 28 Mar 2027 01:00-02:00 does not exist in London; 01:30 is read as 02:30 BST.
    result = delete_after(london(2026, 9, 28, 1, 30))
    assert utc(result) == datetime(2027, 3, 28, 1, 30, tzinfo=UTC)
    assert (result.hour, result.minute, result.utcoffset()) == (2, 30, timedelta(hours=1))


def test_delete_after_in_the_fall_back_fold_takes_the_later_instant():
    # 25 Oct 2026 01:30 happens twice in London; the second (GMT) one is chosen.
    result = delete_after(london(2026, 4, 25, 1, 30))
    assert utc(result) == datetime(2026, 10, 25, 1, 30, tzinfo=UTC)
    assert (result.hour, result.minute, result.fold) == (1, 30, 1)


def test_delete_after_from_the_second_occurrence_of_an_ambiguous_time():
    started_at = london(2025, 10, 26, 1, 30, fold=1)
    assert utc(delete_after(started_at)) == datetime(2026, 4, 26, 0, 30, tzinfo=UTC)


def test_delete_after_honours_a_configured_period():
    assert delete_after(london(2025, 8, 31, 12, 0), months=3) == london(2025, 11, 30, 12, 0)


def test_delete_after_rejects_naive_datetimes():
    with pytest.raises(ValueError, match="timezone-aware"):
        delete_after(datetime(2025, 1, 1, 12, 0))


@pytest.mark.parametrize(
    "started_at",
    [london(2025, 8, 31, 14, 0), london(2026, 9, 28, 1, 30), london(2026, 4, 25, 1, 30)],
)
def test_nothing_is_deleted_one_second_early(started_at):
    due = delete_after(started_at)
    one_second_before = utc(due) - SECOND
    assert not is_due(due, one_second_before, held=False)
    assert is_due(due, utc(due), held=False)
    assert is_due(due, due, held=False)


def test_is_due_compares_instants_not_wall_times_in_a_fold():
    due = delete_after(london(2026, 4, 25, 1, 30))
    first_occurrence = london(2026, 10, 25, 1, 45)
    assert not is_due(due, first_occurrence, held=False)


def test_held_recordings_are_never_due():
    due = london(2025, 1, 1, 12, 0)
    assert not is_due(due, due + timedelta(days=400), held=True)


def test_is_due_rejects_naive_now():
    with pytest.raises(ValueError, match="now"):
        is_due(london(2025, 1, 1), datetime(2025, 6, 1), held=False)


@pytest.mark.parametrize(
    ("elapsed", "held", "overdue"),
    [
        (timedelta(hours=24), False, False),
        (timedelta(hours=24) + SECOND, False, True),
        (timedelta(days=3), False, True),
        (timedelta(days=3), True, False),
        (-SECOND, False, False),
    ],
)
def test_overdue_means_due_for_more_than_24_hours_and_not_held(elapsed, held, overdue):
    due = london(2025, 3, 30, 0, 30)
    assert is_overdue(due, utc(due) + elapsed, held=held) is overdue


@pytest.mark.parametrize(
    ("last_contact", "expected"),
    [
        (london(2024, 2, 29, 16, 0), london(2030, 2, 28, 16, 0)),
        (london(2025, 6, 30, 9, 15), london(2031, 6, 30, 9, 15)),
    ],
)
def test_metadata_is_kept_six_years_after_last_contact(last_contact, expected):
    assert metadata_expires_at(last_contact) == expected


def test_metadata_expiry_rejects_naive_datetimes():
    with pytest.raises(ValueError, match="last_contact"):
        metadata_expires_at(datetime(2025, 1, 1))


def test_rule_names():
    assert retention_rule_name(6) == "retention:6-months"
    assert retention_rule_name(6, after_hold=True) == "retention:6-months:after-hold"
    assert metadata_rule_name() == "metadata:6-years-after-last-contact"
    assert DeletionRule.OPTED_OUT == "opt-out:discarded"


@st.composite
def starts_six_months_before_a_clock_change(draw: st.DrawFn) -> datetime:
    """Starts whose six-month date is a last Sunday of March or October, 00:00-02:59."""
    year, month = draw(st.integers(2001, 2089)), draw(st.sampled_from([3, 10]))
    change_day = max(d for d in range(25, 32) if date(year, month, d).weekday() == 6)
    start_day = add_calendar_months(date(year, month, change_day), -6)
    minute = draw(st.integers(0, 179))
    return london(start_day.year, start_day.month, start_day.day, minute // 60, minute % 60)


aware_starts = st.one_of(
    st.datetimes(
        min_value=datetime(2000, 1, 1),
        max_value=datetime(2090, 12, 31),
        timezones=st.just(LONDON),
    ),
    starts_six_months_before_a_clock_change(),
)


def exists_in_london(wall_time: datetime) -> bool:
    aware = wall_time.replace(tzinfo=LONDON)
    return utc(aware).astimezone(LONDON).replace(tzinfo=None) == wall_time


@given(aware_starts)
def test_property_delete_after_is_six_calendar_months_later(started_at):
    elapsed = utc(delete_after(started_at)) - utc(started_at)
    assert timedelta(days=181, hours=-1) <= elapsed <= timedelta(days=184, hours=1)


@given(aware_starts)
def test_property_delete_after_keeps_the_wall_time_except_in_a_gap(started_at):
    start, due = started_at.astimezone(LONDON), delete_after(started_at)
    nominal = datetime.combine(add_calendar_months(start.date(), 6), start.time())
    if exists_in_london(nominal):
        assert due.replace(tzinfo=None) == nominal
    else:
        assert due.replace(tzinfo=None) == nominal + timedelta(hours=1)


@given(aware_starts)
def test_property_never_deleted_earlier_than_the_nominal_instant(started_at):
    due = delete_after(started_at)
    local = started_at.astimezone(LONDON)
    day = add_calendar_months(local.date(), 6)
    nominal = [
        local.replace(year=day.year, month=day.month, day=day.day, fold=fold) for fold in (0, 1)
    ]
    assert all(utc(due) >= utc(candidate) for candidate in nominal)


@given(aware_starts, st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=400)))
def test_property_never_due_before_delete_after(started_at, before):
    due = delete_after(started_at)
    assert not is_due(due, utc(due) - before - SECOND, held=False)
    assert is_due(due, utc(due) + before, held=False)


@given(aware_starts, st.timedeltas(min_value=-timedelta(days=400), max_value=timedelta(days=400)))
def test_property_held_is_never_due_nor_overdue(started_at, offset):
    due = delete_after(started_at)
    assert not is_due(due, utc(due) + offset, held=True)
    assert not is_overdue(due, utc(due) + offset, held=True)
