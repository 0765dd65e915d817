"""The matching order of SPEC §5 as pure rules, on crafted queues."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.domain.routing import (
    IdleAdvisor,
    InvalidEndpoint,
    WaitingCaller,
    choose_pair,
    front_of,
    idle_since,
    parse_endpoint,
)

T0 = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
PRIORITY = {"crisis_response": 1, "adult_social_care": 2, "careline": 3, "general_advice": 4}


def caller(call_id: int, service: str, waited_minutes: int) -> WaitingCaller:
    return WaitingCaller(
        call_id, service, PRIORITY[service], T0 - timedelta(minutes=waited_minutes)
    )


def advisor(advisor_id: int, skills: str, idle_minutes: int) -> IdleAdvisor:
    return IdleAdvisor(
        advisor_id, frozenset(skills.split(",")), T0 - timedelta(minutes=idle_minutes)
    )


def pair_ids(callers, advisors):  # noqa: ANN001, ANN201
    chosen = choose_pair(callers, advisors)
    return None if chosen is None else (chosen[0].call_id, chosen[1].advisor_id)


def test_highest_priority_service_goes_first_even_if_it_waited_less():
    callers = [caller(1, "general_advice", 30), caller(2, "crisis_response", 1)]
    assert pair_ids(callers, [advisor(7, "general_advice,crisis_response", 5)]) == (2, 7)


def test_longest_waiting_caller_first_within_a_priority():
    callers = [caller(1, "adult_social_care", 2), caller(2, "adult_social_care", 9)]
    assert pair_ids(callers, [advisor(7, "adult_social_care", 5)]) == (2, 7)


def test_longest_idle_skilled_advisor_takes_the_caller():
    advisors = [
        advisor(7, "adult_social_care", 5),
        advisor(8, "careline", 60),
        advisor(9, "adult_social_care", 20),
    ]
    assert pair_ids([caller(1, "adult_social_care", 1)], advisors) == (1, 9)


def test_a_caller_nobody_is_skilled_for_does_not_block_the_next():
    callers = [caller(1, "crisis_response", 10), caller(2, "careline", 1)]
    assert pair_ids(callers, [advisor(7, "careline", 5)]) == (2, 7)


@pytest.mark.parametrize(
    ("callers", "advisors"),
    [([], [advisor(7, "careline", 1)]), ([caller(1, "careline", 1)], [])],
)
def test_nothing_to_match(callers, advisors):
    assert choose_pair(callers, advisors) is None


@pytest.mark.parametrize(
    ("status", "changed_minutes_ago", "expected_minutes_ago"),
    [
        ("available", 10, 10),
        ("wrap_up", 3, 2),  # a one-minute wrap-up ended two minutes ago
        ("wrap_up", 0, None),  # still wrapping up
        ("busy", 30, None),
        ("offline", 30, None),
    ],
)
def test_idle_since(status, changed_minutes_ago, expected_minutes_ago):
    since = idle_since(status, T0 - timedelta(minutes=changed_minutes_ago), T0, 60)
    expected = (
        None if expected_minutes_ago is None else T0 - timedelta(minutes=expected_minutes_ago)
    )
    assert since == expected


def test_front_of_the_queue_is_ahead_of_everyone_waiting():
    others = [T0 - timedelta(minutes=9), T0 - timedelta(minutes=4)]
    front = front_of(others, T0 - timedelta(minutes=2))
    assert front < min(others)
    assert front_of([], T0) == T0


@pytest.mark.parametrize(
    ("raw", "kind", "address"),
    [
        ("client:amy", "client", "amy"),
        ("sip:amy@pbx.sthelens.gov.uk", "sip", "sip:amy@pbx.sthelens.gov.uk"),
        ("+441744676767", "number", "+441744676767"),
    ],
)
def test_endpoints(raw, kind, address):
    endpoint = parse_endpoint(raw)
    assert (endpoint.kind, endpoint.address) == (kind, address)


@pytest.mark.parametrize(
    "raw", ["", "amy", "client:", "client:a b", "sip:nohost", "+44123", "07700900123"]
)
def test_bad_endpoints(raw):
    with pytest.raises(InvalidEndpoint):
        parse_endpoint(raw)
