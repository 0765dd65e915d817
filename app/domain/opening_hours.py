"""Opening hours in Europe/London: pure rules, with "now" passed in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class OpeningHoursError(ValueError):
    """The opening-hours configuration cannot be parsed."""


@dataclass(frozen=True)
class Window:
    """One opening window of a day, local wall-clock times, end exclusive."""

    opens: time
    closes: time


@dataclass(frozen=True)
class OpeningHours:
    """Weekly windows plus dated exceptions (closures and special hours)."""

    weekly: dict[int, tuple[Window, ...]]
    special: dict[date, tuple[Window, ...]]

    def windows_on(self, day: date) -> tuple[Window, ...]:
        """The windows that apply on a London calendar date."""
        if day in self.special:
            return self.special[day]
        return self.weekly.get(day.weekday(), ())

    def is_open(self, now: datetime) -> bool:
        """True when the line is open at the aware instant `now`."""
        if now.tzinfo is None:
            raise ValueError("now must be timezone-aware")
        local = now.astimezone(LONDON)
        wall = local.time().replace(tzinfo=None)
        return any(w.opens <= wall < w.closes for w in self.windows_on(local.date()))


def _clock(text: str) -> time:
    text = text.strip()
    return time.max if text == "24:00" else time.fromisoformat(text)


def _window(text: str) -> Window:
    try:
        start, end = (_clock(part) for part in text.split("-"))
    except ValueError as exc:
        raise OpeningHoursError(f"bad opening window {text!r}: use HH:MM-HH:MM") from exc
    if not start < end:
        raise OpeningHoursError(f"bad opening window {text!r}: it must open before it closes")
    return Window(start, end)


def _windows(text: str) -> tuple[Window, ...]:
    text = text.strip()
    if text.lower() == "closed":
        return ()
    return tuple(_window(part) for part in text.split("+"))


def _weekly(spec: str) -> dict[int, tuple[Window, ...]]:
    """`08:00-22:00` (every day) or `mon-fri=08:00-18:00;sat,sun=10:00-16:00`."""
    if "=" not in spec:
        return {day: _windows(spec) for day in range(7)}
    weekly: dict[int, tuple[Window, ...]] = {}
    for entry in filter(None, (e.strip() for e in spec.split(";"))):
        days, _, hours = entry.partition("=")
        for day in _days(days):
            weekly[day] = _windows(hours)
    return weekly


def _days(text: str) -> list[int]:
    result: list[int] = []
    for part in text.lower().split(","):
        first, _, last = part.strip().partition("-")
        try:
            lo = DAYS.index(first)
            hi = DAYS.index(last) if last else lo
        except ValueError as exc:
            raise OpeningHoursError(f"bad day range {part!r}: use mon, tue, ... sun") from exc
        result.extend(range(lo, hi + 1))
    return result


def _special(spec: str) -> dict[date, tuple[Window, ...]]:
    """`2026-12-25=closed;2026-12-24=08:00-16:00`."""
    special: dict[date, tuple[Window, ...]] = {}
    for entry in filter(None, (e.strip() for e in spec.split(";"))):
        day, _, hours = entry.partition("=")
        try:
            special[date.fromisoformat(day.strip())] = _windows(hours or "closed")
        except ValueError as exc:
            raise OpeningHoursError(f"bad special-hours entry {entry!r}") from exc
    return special


def parse_opening_hours(weekly: str, special: str = "") -> OpeningHours:
    """Build the opening hours from the two configuration strings."""
    return OpeningHours(weekly=_weekly(weekly), special=_special(special))
