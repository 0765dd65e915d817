"""Legal holds (SPEC §7): placing and releasing them, and the one SQL test of "is it held".

A hold targets exactly one call, one recording, or a phone number. A number hold covers every
recording of every call from that number, including calls made after the hold was placed.
`held_clause()` is the single definition of "held" used by retention, reports and the API.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import ColumnElement, Select, and_, exists, or_, select, union_all
from sqlalchemy.orm import Session, aliased

from app.domain import audit
from app.domain.phone import mask, to_e164
from app.models import Call, HoldKind, LegalHold, Recording, utcnow

__all__ = [
    "HoldAlreadyReleased",
    "HoldError",
    "HoldNotFound",
    "HoldTargetError",
    "active_holds_for",
    "call_held_clause",
    "held_among_many_clause",
    "held_call_sids",
    "held_clause",
    "place_hold",
    "release_hold",
    "released_after_due_clause",
]


class HoldError(Exception):
    """A hold could not be placed or released."""


class HoldTargetError(HoldError):
    """The hold does not name exactly one valid target."""


class HoldNotFound(HoldError):
    """No hold with that id."""


class HoldAlreadyReleased(HoldError):
    """The hold was released before."""


def _covering(recording: type[Recording], *conditions: ColumnElement[bool]) -> ColumnElement[bool]:
    """SQL: a hold meeting `conditions` is on `recording`, on its call, or on its caller's number.

    Written as two index-driven EXISTS (holds by recording id; the call by its unique CallSid,
    then holds by call id or number), so the cost per recording does not grow with the number
    of holds. The call is found by CallSid, so a recording without `call_id` is covered too.
    """
    on_recording = (
        select(LegalHold.id).where(LegalHold.recording_id == recording.id, *conditions).exists()
    )
    return or_(on_recording, _covering_call(recording.call_sid, *conditions))


def _covering_call(
    call_sid: ColumnElement[str], *conditions: ColumnElement[bool]
) -> ColumnElement[bool]:
    """SQL: a hold meeting `conditions` is on the call `call_sid` or on its caller's number."""
    return (
        select(LegalHold.id)
        .join_from(
            Call, LegalHold, or_(LegalHold.call_id == Call.id, LegalHold.number == Call.from_number)
        )
        .where(Call.call_sid == call_sid, *conditions)
        .exists()
    )


def held_clause(recording: type[Recording] = Recording) -> ColumnElement[bool]:
    """SQL condition: at least one active hold covers `recording`."""
    return _covering(recording, LegalHold.released_at.is_(None))


def released_after_due_clause(recording: type[Recording] = Recording) -> ColumnElement[bool]:
    """SQL condition: a released hold covering `recording` kept it past its `delete_after`.

    Tested recording by recording (index probes of holds and calls) only when some hold has
    been released at all: that test comes first, uncorrelated, so the database answers it once
    per statement, and `AND` stops there when no hold ever was released (the usual case: in
    the retention sweep's batches of 1,000 the probes were a third of the due query's time).
    """
    any_released = select(LegalHold.id).where(LegalHold.released_at.is_not(None)).exists()
    return and_(
        any_released,
        _covering(
            recording,
            LegalHold.released_at.is_not(None),
            LegalHold.released_at >= recording.delete_after,
        ),
    )


def held_call_sids(call_sids: Iterable[str]) -> Select[tuple[str]]:
    """SQL: those of `call_sids` whose call, or its caller's number, an active hold covers.

    What `held_clause` says of a recording of such a call that we have no row for yet (one
    Twilio lists but never announced): once we know it, the same holds cover it.
    """
    listed = aliased(Call, name="listed_calls")
    return select(listed.call_sid).where(
        listed.call_sid.in_(list(call_sids)),
        _covering_call(listed.call_sid, LegalHold.released_at.is_(None)),
    )


def held_among_many_clause(recording: type[Recording] = Recording) -> ColumnElement[bool]:
    """SQL condition: what `held_clause` says, for a condition over many recordings.

    `held_clause` looks for holds recording by recording (two index probes each); this tests
    each recording against two sets read once per statement: the calls under active holds (by
    call or by number), and the recordings under active holds or found by `held_clause` among
    those without `call_id` (a call we had no row for). A recording's `call_id`, when set, is
    the call with its CallSid (both are written together). The recording's own columns read
    are `call_id` and `id`: on PostgreSQL an index holding them suffices.
    """
    active = LegalHold.released_at.is_(None)
    held_calls = union_all(
        select(LegalHold.call_id).where(active, LegalHold.call_id.is_not(None)),
        select(Call.id)
        .join(LegalHold, LegalHold.number == Call.from_number)
        .where(active, LegalHold.number.is_not(None)),
    )
    orphan = aliased(Recording, name="without_call_id")
    held_recordings = union_all(
        select(LegalHold.recording_id).where(active, LegalHold.recording_id.is_not(None)),
        select(orphan.id).where(orphan.call_id.is_(None), held_clause(orphan)),
    )
    return or_(recording.call_id.in_(held_calls), recording.id.in_(held_recordings))


def call_held_clause(call: type[Call] = Call) -> ColumnElement[bool]:
    """SQL condition: an active hold covers `call` or any recording of it."""
    return exists().where(
        LegalHold.released_at.is_(None),
        or_(
            LegalHold.call_id == call.id,
            LegalHold.number == call.from_number,
            LegalHold.recording_id.in_(
                select(Recording.id).where(Recording.call_sid == call.call_sid).correlate(call)
            ),
        ),
    )


def active_holds_for(session: Session, recording: Recording) -> list[LegalHold]:
    """The active holds covering `recording`, oldest first."""
    call = select(Call).where(Call.call_sid == recording.call_sid).subquery()
    query = (
        select(LegalHold)
        .where(
            LegalHold.released_at.is_(None),
            or_(
                LegalHold.recording_id == recording.id,
                LegalHold.call_id.in_(select(call.c.id)),
                LegalHold.number.in_(select(call.c.from_number)),
            ),
        )
        .order_by(LegalHold.created_at, LegalHold.id)
    )
    return list(session.scalars(query))


def _target_label(hold: LegalHold, session: Session) -> dict[str, str]:
    """How the audit log names the target (numbers masked, SPEC §9)."""
    if hold.recording_id is not None:
        query = select(Recording.recording_sid).where(Recording.id == hold.recording_id)
        sid = session.scalar(query)
        return {"target": "recording", "recording_sid": str(sid)}
    if hold.call_id is not None:
        sid = session.scalar(select(Call.call_sid).where(Call.id == hold.call_id))
        return {"target": "call", "call_sid": str(sid)}
    return {"target": "number", "number": mask(hold.number)}


def place_hold(
    session: Session,
    *,
    kind: str,
    reason: str,
    reference: str,
    call_id: int | None = None,
    recording_id: int | None = None,
    number: str | None = None,
    actor: str,
    now: datetime | None = None,
) -> LegalHold:
    """Place a hold on exactly one target and audit it, in the caller's transaction."""
    if kind not in set(HoldKind):
        raise HoldTargetError(f"kind must be one of {', '.join(HoldKind)}")
    if not reason.strip() or not reference.strip():
        raise HoldTargetError("a hold needs a reason and a reference")
    if sum(t is not None for t in (call_id, recording_id, number)) != 1:
        raise HoldTargetError("a hold targets exactly one call, recording or number")
    e164 = None
    if number is not None:
        e164 = to_e164(number)
        if e164 is None:
            raise HoldTargetError("the number is not a valid phone number")
    hold = LegalHold(
        kind=kind,
        reason=reason.strip(),
        reference=reference.strip(),
        call_id=call_id,
        recording_id=recording_id,
        number=e164,
        created_by=actor,
        created_at=now or utcnow(),
    )
    session.add(hold)
    session.flush()
    details = {"kind": kind, "reference": hold.reference, **_target_label(hold, session)}
    audit.record(
        session,
        actor=actor,
        action="hold.place",
        subject_type="legal_hold",
        subject_id=str(hold.id),
        reason=hold.reason,
        details=details,
    )
    return hold


def release_hold(
    session: Session, hold_id: int, actor: str, *, now: datetime | None = None
) -> LegalHold:
    """Release a hold and audit it; recordings it kept past their time go on the next run."""
    hold = session.get(LegalHold, hold_id, with_for_update=True)
    if hold is None:
        raise HoldNotFound(f"no hold {hold_id}")
    if hold.released_at is not None:
        raise HoldAlreadyReleased(f"hold {hold_id} was released at {hold.released_at.isoformat()}")
    hold.released_at, hold.released_by = now or utcnow(), actor
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="hold.release",
        subject_type="legal_hold",
        subject_id=str(hold.id),
        details={"kind": hold.kind, "reference": hold.reference, **_target_label(hold, session)},
    )
    return hold
