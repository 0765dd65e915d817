"""What happens to a call's row as Twilio reports its progress; idempotent by CallSid."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.db import Database
from app.db.fast_writes import DriverUpsert
from app.domain import audit
from app.domain.phone import to_e164
from app.models import Call, OptOutSource, Outcome

CALL_SID = re.compile(r"^CA[0-9a-fA-F]{32}$")
FINAL_STATUSES = {"completed", "busy", "failed", "no-answer", "canceled"}
# Twilio's call statuses in the order a call passes them; a final one is never left.
_STATUS_RANK = {"queued": 1, "initiated": 1, "ringing": 2, "in-progress": 3}
_FINAL_RANK = 4
RECENT_ANSWERED = 20


class InvalidCallSid(ValueError):
    """The request does not carry a usable CallSid."""


class CallNotLive(Exception):
    """The call has ended: what is recorded of it is settled (opt-out refused)."""


def check_call_sid(value: str | None) -> str:
    """The CallSid, or InvalidCallSid."""
    if not value or not CALL_SID.match(value):
        raise InvalidCallSid("a valid CallSid is required")
    return value


def open_call(
    session: Session, call_sid: str, from_raw: str | None, to_raw: str | None, now: datetime
) -> Call:
    """The call's row, created on first sight; a repeated webhook finds the same row."""
    call = session.scalar(select(Call).where(Call.call_sid == call_sid))
    if call is not None:
        return call
    call = Call(
        call_sid=call_sid, from_number=to_e164(from_raw), to_number=to_e164(to_raw), started_at=now
    )
    try:
        with session.begin_nested():
            session.add(call)
    except IntegrityError:  # another process created it at the same moment
        call = session.scalars(select(Call).where(Call.call_sid == call_sid)).one()
    return call


def record_incoming(
    database: Database,
    call_sid: str,
    from_raw: str | None,
    to_raw: str | None,
    now: datetime,
    *,
    out_of_hours: bool,
    language: str | None = None,
) -> None:
    """The incoming-call webhook's write, committed before the webhook answers.

    One prebuilt upsert, run in autocommit and grouped with the new calls other threads of this
    process are writing at the same moment (one round trip for all of them). A repeated
    webhook changes nothing, except that an out-of-hours repeat still marks the outcome.
    `language` is the line's one language; a caller on a bilingual line chooses theirs later.
    """
    row = {
        "call_sid": call_sid,
        "from_number": to_e164(from_raw),
        "to_number": to_e164(to_raw),
        "started_at": now,
        "recording_opted_out": False,
        "outcome": Outcome.OUT_OF_HOURS if out_of_hours else None,
        "language": language,
    }
    database.grouped("calls.incoming", _write_incoming).submit(row)


_INCOMING = DriverUpsert(
    Call.__table__,
    (
        "call_sid",
        "from_number",
        "to_number",
        "started_at",
        "recording_opted_out",
        "outcome",
        "language",
    ),
    "ON CONFLICT (call_sid) DO UPDATE SET outcome = excluded.outcome "
    "WHERE calls.outcome IS NULL AND excluded.outcome IS NOT NULL",
)


def _write_incoming(cursor: Any, dialect: Dialect, rows: list[dict[str, Any]]) -> None:
    by_sid: dict[str, dict[str, Any]] = {}
    for row in rows:  # one row a call: a statement must not touch the same row twice
        kept = by_sid.setdefault(row["call_sid"], row)
        if kept["outcome"] is None:
            kept["outcome"] = row["outcome"]
    _INCOMING.execute(cursor, dialect, list(by_sid.values()))


def find_call(session: Session, call_sid: str) -> Call | None:
    """The call with this SID, if we know it."""
    return session.scalar(select(Call).where(Call.call_sid == call_sid))


def is_live(call: Call) -> bool:
    """True until Twilio reports the call in a final state."""
    return call.ended_at is None and call.twilio_status not in FINAL_STATUSES


def opt_out(
    session: Session, call: Call, source: OptOutSource, now: datetime, actor: str = "caller"
) -> bool:
    """Record that the caller does not want to be recorded; False if already recorded.

    Only while the call is live (CallNotLive otherwise): after it, an opt-out would be a way
    to discard a recording that a hold, a complaint or a request may need.
    """
    if call.recording_opted_out:
        return False
    if not is_live(call):
        raise CallNotLive(f"call {call.call_sid} has ended; its recording can no longer be refused")
    call.recording_opted_out, call.opted_out_at, call.opt_out_source = True, now, source
    audit.record(
        session,
        actor=actor,
        action="recording.opt_out",
        subject_type="call",
        subject_id=call.call_sid,
        details={"source": str(source)},
    )
    return True


def choose_language(call: Call, language: str) -> None:
    """The caller chose the language of the rest of their call."""
    call.language = language


def accept_any_language(call: Call, now: datetime) -> bool:
    """The caller will take the next advisor in any language; False if they had already."""
    if call.any_language_since is not None:
        return False
    call.any_language_since = now
    return True


def choose_service(call: Call, service_code: str, now: datetime) -> None:
    """The caller joins a service queue; a repeated webhook keeps the first join time."""
    if call.service_code != service_code or call.enqueued_at is None:
        call.service_code, call.enqueued_at = service_code, now
        call.dequeued_at = call.queue_result = None


def record_queue_exit(call: Call, result: str, now: datetime) -> None:
    """The caller left Twilio's queue (bridged, left, hung up, error)."""
    if call.dequeued_at is None:
        call.dequeued_at = now
        if call.enqueued_at is not None:
            call.queue_wait_seconds = int((now - call.enqueued_at).total_seconds())
    call.queue_result = result[:20]


def close_call(call: Call, status: str, duration: int | None, now: datetime) -> None:
    """Final call status: end time, duration and outcome, set once; never moves backwards.

    Twilio may deliver status callbacks late or out of order: a stale `in-progress` after
    `completed` changes nothing.
    """
    if _status_rank(status) <= _status_rank(call.twilio_status):
        return
    call.twilio_status = status[:16]
    if status not in FINAL_STATUSES:
        return
    if call.ended_at is None:
        call.ended_at = now
    if duration is not None and call.duration_seconds is None:
        call.duration_seconds = duration
    if call.outcome is None:
        call.outcome = _outcome(call, status)


def _status_rank(status: str | None) -> int:
    if status in FINAL_STATUSES:
        return _FINAL_RANK
    return _STATUS_RANK.get(status or "", 0)


def _outcome(call: Call, status: str) -> Outcome:
    if call.answered_at is not None:
        return Outcome.ANSWERED
    if status in {"busy", "failed", "no-answer"}:
        return Outcome.FAILED
    return Outcome.ABANDONED


def estimated_wait(session: Session, service_code: str, waited: int) -> int | None:
    """Seconds still to wait, judged from the last callers answered in this service."""
    recent = (
        select(Call.queue_wait_seconds)
        .where(
            Call.service_code == service_code,
            Call.queue_result.in_(("bridged", "redirected")),
            Call.queue_wait_seconds.is_not(None),
        )
        .order_by(Call.dequeued_at.desc())
        .limit(RECENT_ANSWERED)
        .subquery()
    )
    mean = session.scalar(select(func.avg(recent.c.queue_wait_seconds)))
    if mean is None:
        return None
    return max(60, int(mean) - waited)
