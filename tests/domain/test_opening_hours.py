"""Opening hours in Europe/London: boundaries on winter, summer and both DST change days."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from app.domain.opening_hours import OpeningHoursError, parse_opening_hours

LONDON = ZoneInfo("Europe/London")
DEFAULT = parse_opening_hours("08:00-22:00")
DAYS = {
    "winter": date(2026, 1, 14),
    "summer": date(2026, 7, 14),
    "spring-forward": date(2026, 3, 29),
    "fall-back": date(2026, 10, 25),
}


@pytest.mark.parametrize("day", DAYS.values(), ids=DAYS.keys())
@pytest.mark.parametrize(
    ("hh", "mm", "is_open"), [(7, 59, False), (8, 0, True), (21, 59, True), (22, 0, False)]
)
def test_boundaries_in_london_local_time(day, hh, mm, is_open):
    local = datetime(day.year, day.month, day.day, hh, mm, tzinfo=LONDON)
    assert DEFAULT.is_open(local) is is_open


@pytest.mark.parametrize(("utc_hour", "is_open"), [(7, True), (6, False), (21, False), (20, True)])
def test_summer_time_shifts_the_utc_window(utc_hour, is_open):
    instant = datetime(2026, 7, 14, utc_hour, 30, tzinfo=ZoneInfo("UTC"))
    assert DEFAULT.is_open(instant) is is_open


def test_closure_and_special_hours():
    hours = parse_opening_hours("08:00-22:00", "2026-12-25=closed;2026-12-24=08:00-16:00")
    assert not hours.is_open(datetime(2026, 12, 25, 12, tzinfo=LONDON))
    assert hours.is_open(datetime(2026, 12, 24, 15, 59, tzinfo=LONDON))
    assert not hours.is_open(datetime(2026, 12, 24, 16, 0, tzinfo=LONDON))


def test_weekday_specific_hours_and_all_day():
    hours = parse_opening_hours("mon-fri=08:00-18:00;sat,sun=00:00-24:00")
    assert not hours.is_open(datetime(2026, 11, 23, 18, 0, tzinfo=LONDON))  # Monday
    assert hours.is_open(datetime(2026, 11, 22, 23, 59, tzinfo=LONDON))  # Sunday


@pytest.mark.parametrize("spec", ["8-22", "22:00-08:00", "mon-xyz=08:00-10:00", "25:00-26:00"])
def test_bad_configuration_fails_loudly(spec):
    with pytest.raises(OpeningHoursError):
        parse_opening_hours(spec)


def test_naive_time_is_refused():
    with pytest.raises(ValueError, match="aware"):
        DEFAULT.is_open(datetime(2026, 1, 1, 12))
