"""The board's figures from seeded calls, with the app's clock (SPEC §14)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.domain import board
from app.extensions import db
from app.models import Call, Staff
from config.services import REFERENCE_SERVICES
from tests.conftest import IN_HOURS
from tests.support.sids import numbered_sid as sid

NOW = IN_HOURS  # Monday 23 November 2026, 10:00 in London (GMT)


def seed_call(n: int, started: datetime, **fields: object) -> None:
    with db.transaction() as session:
        session.add(Call(call_sid=sid(n), started_at=started, **fields))


def answered(
    n: int, waited: int, started: datetime = NOW - timedelta(hours=1), language: str | None = None
) -> None:
    enqueued = started + timedelta(seconds=20)
    seed_call(
        n,
        started,
        service_code="careline",
        enqueued_at=enqueued,
        answered_at=enqueued + timedelta(seconds=waited),
        queue_wait_seconds=waited,
        outcome="answered",
        language=language,
    )


def abandoned(n: int, started: datetime = NOW - timedelta(hours=1), language: str | None = None):
    seed_call(
        n,
        started,
        service_code="careline",
        enqueued_at=started,
        outcome="abandoned",
        language=language,
    )


def waiting(n: int, service: str, waited: timedelta, language: str | None = None) -> None:
    since = NOW - waited
    seed_call(
        n,
        since,
        service_code=service,
        enqueued_at=since,
        queue_sort_at=since,
        queue_priority=2,
        routing_state="waiting",
        language=language,
    )


def figures(service_level_seconds: int = 60) -> board.DayFigures:
    with db.transaction() as session:
        return board.today(session, NOW, service_level_seconds)


def test_an_empty_day(app):
    assert figures() == board.DayFigures(0, 0, 0, None, None)


def test_todays_figures(app):
    answered(1, waited=30)
    answered(2, waited=90)
    answered(3, waited=0)  # an advisor was free at once
    abandoned(4)
    seed_call(5, NOW - timedelta(hours=2), outcome="abandoned")  # hung up during the greeting
    seed_call(6, NOW - timedelta(minutes=5), outcome="out_of_hours")
    day = figures()
    assert (day.offered, day.answered, day.abandoned) == (4, 3, 1)
    assert day.average_speed_of_answer == 40
    assert day.service_level == pytest.approx(2 / 4)
    assert figures(service_level_seconds=90).service_level == pytest.approx(3 / 4)


def test_todays_figures_by_language_in_the_lines_order(app):
    answered(1, waited=30, language="cy")
    abandoned(2, language="cy")
    answered(3, waited=90, language="en")
    answered(4, waited=0)  # a line with one language stores none: English
    seed_call(5, NOW - timedelta(minutes=5), outcome="abandoned", language="cy")  # not offered
    with db.transaction() as session:
        day = board.today(session, NOW, 60, ("cy", "en"))
    assert day.by_language == (
        board.LanguageFigures("Welsh (Cymraeg)", offered=2, answered=1, abandoned=1),
        board.LanguageFigures("English", offered=2, answered=2, abandoned=0),
    )
    assert (day.offered, day.answered, day.abandoned) == (4, 3, 1)
    assert (day.average_speed_of_answer, day.service_level) == (40, pytest.approx(2 / 4))


def test_each_of_the_lines_languages_is_listed_before_its_first_call(app):
    answered(1, waited=30)
    with db.transaction() as session:
        day = board.today(session, NOW, 60, ("cy", "en"))
    assert day.by_language == (
        board.LanguageFigures("Welsh (Cymraeg)"),
        board.LanguageFigures("English", offered=1, answered=1),
    )


def test_today_is_the_london_day(app):
    answered(1, 10, started=datetime(2026, 11, 23, 0, 5, tzinfo=UTC))  # today in London
    answered(2, 10, started=datetime(2026, 11, 22, 23, 55, tzinfo=UTC))  # yesterday
    assert figures().offered == 1


def test_the_london_day_in_summer_time():
    start, end = board.london_day(datetime(2026, 7, 1, 23, 30, tzinfo=UTC))
    assert (start.astimezone(UTC), end.astimezone(UTC)) == (
        datetime(2026, 7, 1, 23, 0, tzinfo=UTC),
        datetime(2026, 7, 2, 23, 0, tzinfo=UTC),
    )


def test_queues_by_language_and_longest_wait(app):
    waiting(1, "careline", timedelta(minutes=3))
    waiting(2, "careline", timedelta(minutes=1), language="cy")
    waiting(3, "careline", timedelta(seconds=10), language="en")
    waiting(4, "crisis_response", timedelta(seconds=5))
    with db.transaction() as session:
        lines = {q.code: q for q in board.queues(session, REFERENCE_SERVICES, NOW)}
    careline = lines["careline"]
    assert careline.waiting == 3
    assert careline.by_language == {"English": 2, "Welsh (Cymraeg)": 1}
    assert careline.longest_wait_seconds == 180
    assert lines["crisis_response"].longest_wait_seconds == 5
    assert (lines["general_advice"].waiting, lines["general_advice"].longest_wait_seconds) == (
        0,
        None,
    )
    assert [q.code for q in lines.values()][0] == "crisis_response"  # highest priority first


def add_advisor(name: str, status: str, since: datetime, active: bool = True) -> None:
    with db.transaction() as session:
        session.add(
            Staff(
                email=f"{name}@x.gov.uk",
                name=name,
                role="advisor",
                status=status,
                status_changed_at=since,
                active=active,
            )
        )


def test_advisors_by_status_and_time_in_it(app):
    add_advisor("amy", "busy", NOW - timedelta(minutes=4))
    add_advisor("bob", "wrap_up", NOW - timedelta(seconds=20))
    add_advisor("cat", "wrap_up", NOW - timedelta(seconds=100))  # wrap-up over 40 s ago
    add_advisor("dan", "offline", NOW - timedelta(hours=1))
    add_advisor("eve", "available", NOW - timedelta(seconds=10), active=False)
    with db.transaction() as session:
        lines = board.advisors(session, NOW, wrap_up_seconds=60)
    assert [(a.name, a.status, a.seconds_in_status) for a in lines] == [
        ("cat", "available", 40),
        ("amy", "busy", 240),
        ("bob", "wrap_up", 20),
        ("dan", "offline", 3600),
    ]
