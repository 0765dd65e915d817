"""Console sessions record their last request to the minute: a poll every 2 s writes nothing."""

from __future__ import annotations

from datetime import timedelta

from app.domain.sessions import LAST_SEEN_STEP, SessionLimits, live_session, start_session
from app.extensions import db
from app.models import ConsoleSession, Staff
from tests.conftest import IN_HOURS

LIMITS = SessionLimits(idle=timedelta(minutes=30), absolute=timedelta(hours=12))


def _started() -> str:
    with db.transaction() as session:
        staff = Staff(email="amy@example.gov.uk", name="Amy", role="advisor", skills=[])
        session.add(staff)
        session.flush()
        return start_session(session, staff, IN_HOURS, LIMITS, second_factor=True)


def _poll(token: str, seconds: float) -> bool:
    """One request `seconds` after sign-in; True when it wrote to the session row."""
    with db.transaction() as session:
        row = live_session(session, token, IN_HOURS + timedelta(seconds=seconds), LIMITS)
        assert row is not None
        return session.is_modified(row) and row in session.dirty


def _last_seen() -> object:
    with db.transaction() as session:
        return session.query(ConsoleSession).one().last_seen_at


def test_polls_within_a_minute_write_nothing_then_one_write_a_minute(app):
    token = _started()
    assert not any(_poll(token, second) for second in range(2, 60, 2))
    assert _last_seen() == IN_HOURS
    assert _poll(token, LAST_SEEN_STEP.total_seconds())
    assert _last_seen() == IN_HOURS + LAST_SEEN_STEP
    assert not _poll(token, LAST_SEEN_STEP.total_seconds() + 2)


def test_a_session_polled_every_two_seconds_stays_alive_past_the_idle_limit(app):
    token = _started()
    for second in range(0, 45 * 60, 2):
        with db.transaction() as session:
            moment = IN_HOURS + timedelta(seconds=second)
            assert live_session(session, token, moment, LIMITS) is not None, second


def test_an_idle_session_still_ends(app):
    token = _started()
    _poll(token, 50)  # within the step: not recorded, so idleness counts from sign-in
    with db.transaction() as session:
        assert live_session(session, token, IN_HOURS + LIMITS.idle, LIMITS) is None
