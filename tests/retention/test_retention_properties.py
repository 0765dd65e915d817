"""Property-based: over random recordings, holds and clock times, the job never deletes a held or
not-yet-due recording, and after a run nothing unheld is due.

Bounded and derandomized (fixed examples in CI); each example empties the tables it uses.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete

from app.domain.holds import place_hold, release_hold
from app.domain.reports import retention_report
from app.extensions import db
from app.models import AuditEntry, AuditHead, Call, DeletionRecord, LegalHold, Recording
from recordings.retention import OVERDUE_AFTER
from tests.retention.factories import T0, add_call, add_recording
from tests.support.rows import rows
from workers.retention import retention_sweep

NUMBERS = ["+447700900001", "+447700900002", "+447700900003", None]  # None: withheld
SPAN = 3 * 24 * 3600  # seconds either side of T0
BOUNDED = settings(
    max_examples=30,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@dataclass(frozen=True)
class HoldSpec:
    target: str  # "recording", "call" or "number"
    index: int
    released_before_first_run: bool
    released_before_second_run: bool


@st.composite
def scenarios(draw):  # noqa: ANN001, ANN201
    n_calls = draw(st.integers(1, 5))
    callers = draw(st.lists(st.sampled_from(NUMBERS), min_size=n_calls, max_size=n_calls))
    recordings = draw(
        st.lists(
            st.tuples(st.integers(0, n_calls - 1), st.integers(-SPAN, SPAN)),
            min_size=1,
            max_size=10,
        )
    )
    holds = draw(
        st.lists(
            st.builds(
                HoldSpec,
                st.sampled_from(["recording", "call", "number"]),
                st.integers(0, 50),
                st.booleans(),
                st.booleans(),
            ),
            max_size=4,
        )
    )
    first, later = draw(st.integers(-SPAN, SPAN)), draw(st.integers(0, SPAN))
    return callers, recordings, holds, first, later


def _empty() -> None:
    with db.transaction() as session:
        for model in (DeletionRecord, LegalHold, Recording, Call, AuditEntry, AuditHead):
            session.execute(delete(model))


def _arrange(store, callers, recording_specs, hold_specs):  # noqa: ANN001, ANN202
    with db.transaction() as session:
        calls = [add_call(session, number=n, started_at=T0 - timedelta(days=200)) for n in callers]
        recordings = [
            add_recording(session, store, calls[i], delete_after=T0 + timedelta(seconds=s))
            for i, s in recording_specs
        ]
        holds = []
        for spec in hold_specs:
            if spec.target == "recording":
                target = {"recording_id": recordings[spec.index % len(recordings)].id}
            elif spec.target == "call":
                target = {"call_id": calls[spec.index % len(calls)].id}
            else:
                target = {"number": NUMBERS[spec.index % 3]}
            hold = place_hold(
                session, kind="complaint", reason="r", reference="C", actor="ro", **target
            )
            holds.append((spec, hold, target))
    return calls, recordings, holds


def _held(recording, calls, active) -> bool:  # noqa: ANN001
    """The oracle: does any active hold cover this recording?"""
    call = next(c for c in calls if c.id == recording.call_id)
    for _, _, target in active:
        if target.get("recording_id") == recording.id or target.get("call_id") == call.id:
            return True
        if "number" in target and call.from_number == target["number"]:
            return True
    return False


def _check_run(runtime, store, calls, recordings, active, now) -> None:  # noqa: ANN001
    retention_sweep(runtime, now, batch_size=3)
    status = {r.recording_sid: r.status for r in rows(Recording)}
    for recording in recordings:
        held = _held(recording, calls, active)
        due = recording.delete_after <= now
        if held or not due:
            assert status[recording.recording_sid] == "stored", (recording, held, due)
            assert store.exists(recording.storage_key)
        else:  # after a run nothing unheld is due
            assert status[recording.recording_sid] == "deleted"
            assert not store.exists(recording.storage_key)
    with db.transaction() as session:
        assert retention_report(session, now).due == 0


def _at_first_run(store, scenario):  # noqa: ANN001, ANN202
    """The scenario arranged in emptied tables, its first holds released; the first run's time."""
    callers, recording_specs, hold_specs, first, _ = scenario
    _empty()
    calls, recordings, holds = _arrange(store, callers, recording_specs, hold_specs)
    now = T0 + timedelta(seconds=first)
    with db.transaction() as session:
        for spec, hold, _ in holds:
            if spec.released_before_first_run:
                release_hold(session, hold.id, "ro", now=now - timedelta(seconds=1))
    return calls, recordings, [h for h in holds if not h[0].released_before_first_run], now


@BOUNDED
@given(scenario=scenarios())
def test_never_deletes_held_or_early_and_leaves_nothing_due(retention_runtime, store, scenario):
    calls, recordings, active, now = _at_first_run(store, scenario)
    _check_run(retention_runtime, store, calls, recordings, active, now)

    now += timedelta(seconds=scenario[-1])
    with db.transaction() as session:
        for spec, hold, _ in active:
            if spec.released_before_second_run:
                release_hold(session, hold.id, "ro", now=now - timedelta(seconds=1))
    active = [h for h in active if not h[0].released_before_second_run]
    _check_run(retention_runtime, store, calls, recordings, active, now)
    deletions = [r.recording_sid for r in rows(DeletionRecord)]
    assert len(deletions) == len(set(deletions))  # one record per deleted recording


@BOUNDED
@given(scenario=scenarios(), orphans=st.sets(st.integers(0, 9), max_size=3))
def test_the_report_counts_what_the_holds_cover(app, store, scenario, orphans):
    """The report's figures, counted from the holds' side, are the oracle's recording by
    recording; recordings without `call_id` (a call we had no row for) are covered by CallSid."""
    calls, recordings, active, now = _at_first_run(store, scenario)
    with db.transaction() as session:
        for n in orphans & set(range(len(recordings))):
            session.get(Recording, recordings[n].id).call_id = None
    # The oracle finds each recording's call by the `call_id` it was made with: its CallSid's.
    held = {r.id for r in recordings if _held(r, calls, active)}
    past_due = [r for r in recordings if r.delete_after <= now]
    unheld_due = [r for r in past_due if r.id not in held]
    with db.transaction() as session:
        report = retention_report(session, now)
    assert (report.stored, report.held) == (len(recordings), len(held))
    assert report.held_past_due == len(past_due) - len(unheld_due)
    assert report.due == len(unheld_due)
    assert report.overdue == sum(1 for r in unheld_due if r.delete_after < now - OVERDUE_AFTER)
    assert report.oldest_due == min((r.delete_after for r in unheld_due), default=None)


@pytest.mark.parametrize("target", ["call", "number", "recording", "call, no call_id"])
def test_the_report_counts_a_recording_under_each_kind_of_hold(app, store, target):
    _empty()
    with db.transaction() as session:
        call = add_call(session, number=NUMBERS[0], started_at=T0 - timedelta(days=200))
        recording = add_recording(session, store, call, delete_after=T0 - timedelta(days=2))
        add_recording(session, store, call, delete_after=T0 + timedelta(days=2))
        on = {
            "call": {"call_id": call.id},
            "number": {"number": NUMBERS[0]},
            "recording": {"recording_id": recording.id},
        }.get(target, {"call_id": call.id})
        place_hold(session, kind="complaint", reason="r", reference="C", actor="ro", **on)
        if target == "call, no call_id":
            recording.call_id = None
    with db.transaction() as session:
        report = retention_report(session, T0)
    expected_held = 1 if target == "recording" else 2
    assert (report.stored, report.held, report.held_past_due) == (2, expected_held, 1)
    assert (report.due, report.overdue, report.oldest_due) == (0, 0, None)
