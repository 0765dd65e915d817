"""Step 2 of retention: settle every recording Twilio still lists (SPEC §7).

Recordings Twilio lists from more than a day ago are deleted there once we have them
(stored), never wanted them (discarded, opted out) or deleted ours; one we know but never
stored (pending, failed) is left while it may still be ingested and deleted once past its
retention date (our row then marked deleted); one we have never heard of is ingested if still
within retention, else deleted. A legal hold (`held_clause`) stops every deletion but that of a
stored recording's copy (ours is what the hold keeps); an unknown recording whose call or
caller's number is held is ingested.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from requests import RequestException
from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from twilio.base.exceptions import TwilioException, TwilioRestException

from app.domain import audit
from app.domain.holds import held_call_sids, held_clause, released_after_due_clause
from app.integrations.queue import enqueue
from app.integrations.twilio import delete_recording, list_recordings
from app.models import Call, DeletedWhat, DeletionRecord, Recording, RecordingStatus
from app.runtime import Runtime
from recordings.retention import DeletionRule, delete_after, retention_rule_name
from workers.retention.summary import RetentionSummary

__all__ = ["TWILIO_GRACE", "delete_twilio_copies", "sweep_twilio_recordings"]

log = logging.getLogger(__name__)

TWILIO_PAGE_SIZE = 200
TWILIO_GRACE = timedelta(days=1)
INGEST_JOB = "workers.ingest.ingest_recording"


def sweep_twilio_recordings(runtime: Runtime, now: datetime, summary: RetentionSummary) -> None:
    """Settle every recording Twilio lists as created more than a day before `now`."""
    cutoff = now - TWILIO_GRACE
    page: list[Any] = []
    listed = list_recordings(runtime.twilio, created_before=cutoff, page_size=TWILIO_PAGE_SIZE)
    for recording in listed:
        page.append(recording)
        if len(page) == TWILIO_PAGE_SIZE:
            _settle_twilio_page(runtime, page, now, summary)
            page = []
    if page:
        _settle_twilio_page(runtime, page, now, summary)


@dataclass(frozen=True)
class _Ours:
    """Our row of a recording Twilio lists, and whether a hold covers it (`held_clause`)."""

    id: int
    status: RecordingStatus
    started_at: datetime | None
    delete_after: datetime | None
    held: bool
    after_hold: bool


@dataclass(frozen=True)
class _TwilioDecision:
    sid: str
    call_sid: str | None
    action: str  # "delete", "ingest" or "leave"
    rule: str | None = None
    known: bool = False
    expire: tuple[int, datetime] | None = None  # our never-stored row to mark deleted, its due


def _decide(
    listed: Any, ours: _Ours | None, call: Call | None, call_held: bool, now: datetime, months: int
) -> _TwilioDecision:
    """What to do with one recording Twilio still lists (`call_held`: its call or number is)."""
    if ours is not None:
        return _decide_known(listed, ours, now, months)
    sid, call_sid = listed.sid, listed.call_sid
    opted_out = call is not None and call.recording_opted_out
    wanted = listed.status == "completed" and not opted_out  # ingest discards an opted-out one
    if call_held:  # whatever its age: ingested, it is kept under the hold like the call's others
        return _TwilioDecision(sid, call_sid, "ingest" if wanted else "leave")
    if opted_out:
        return _TwilioDecision(sid, call_sid, "delete", DeletionRule.OPTED_OUT.value)
    started = listed.start_time or listed.date_created
    if delete_after(started, months) <= now:
        return _TwilioDecision(sid, call_sid, "delete", DeletionRule.TWILIO_UNKNOWN_EXPIRED.value)
    return _TwilioDecision(sid, call_sid, "ingest" if wanted else "leave")


def _decide_known(listed: Any, ours: _Ours, now: datetime, months: int) -> _TwilioDecision:
    """Twilio's copy of a recording we know goes once we are done with it, never while held.

    A stored one's copy goes even under a hold: ours is the copy the hold keeps. A pending or
    failed one's copy is the only one: it is left until its retention date, then deleted (and
    our row marked deleted) like a stored one's audio.
    """
    sid, call_sid = listed.sid, listed.call_sid
    if ours.status == RecordingStatus.STORED:
        return _TwilioDecision(sid, call_sid, "delete", DeletionRule.TWILIO_COPY.value, True)
    if ours.held:
        return _TwilioDecision(sid, call_sid, "leave", known=True)
    if ours.status == RecordingStatus.DISCARDED:
        return _TwilioDecision(sid, call_sid, "delete", DeletionRule.OPTED_OUT.value, True)
    if ours.status == RecordingStatus.DELETED:
        return _TwilioDecision(sid, call_sid, "delete", retention_rule_name(months), True)
    started = ours.started_at or listed.start_time or listed.date_created
    due = ours.delete_after or delete_after(started, months)
    if due > now:
        return _TwilioDecision(sid, call_sid, "leave", known=True)
    rule = retention_rule_name(months, after_hold=ours.after_hold)
    return _TwilioDecision(sid, call_sid, "delete", rule, True, expire=(ours.id, due))


def _settle_twilio_page(
    runtime: Runtime, listed: list[Any], now: datetime, summary: RetentionSummary
) -> None:
    """Delete, ingest or leave each listed recording, then record what was deleted."""
    months = runtime.settings.recording_retention_months
    with runtime.db.transaction() as session:
        ours = _our_recordings(session, [r.sid for r in listed])
        call_sids = {r.call_sid for r in listed if r.call_sid}
        calls = {
            c.call_sid: c for c in session.scalars(select(Call).where(Call.call_sid.in_(call_sids)))
        }
        unknown = {r.call_sid for r in listed if r.sid not in ours and r.call_sid in calls}
        held_calls = set(session.scalars(held_call_sids(unknown))) if unknown else set()
        decisions = [
            _decide(
                r, ours.get(r.sid), calls.get(r.call_sid), r.call_sid in held_calls, now, months
            )
            for r in listed
        ]
    decisions = _expire_never_stored(runtime, decisions, now, summary)
    deleting = [d for d in decisions if d.action == "delete"]
    gone = delete_twilio_copies(runtime, [d.sid for d in deleting], now, summary)
    deleted = [d for d in deleting if d.sid in set(gone)]
    summary.twilio_copies_deleted.extend(d.sid for d in deleted if d.known)
    summary.twilio_unknown_deleted.extend(d.sid for d in deleted if not d.known)
    _record_twilio_deletions(runtime, deleted, now, summary.run_id)
    for item, decision in zip(listed, decisions, strict=True):
        if decision.action == "ingest":
            _ingest_unknown(runtime, item, calls.get(item.call_sid), months, summary)


def _our_recordings(session: Session, sids: list[str]) -> dict[str, _Ours]:
    """Our rows of these recordings, by sid, with what the holds say of each."""
    query = select(
        Recording.id,
        Recording.recording_sid,
        Recording.status,
        Recording.started_at,
        Recording.delete_after,
        held_clause().label("held"),
        released_after_due_clause().label("after_hold"),
    ).where(Recording.recording_sid.in_(sids))
    return {
        r.recording_sid: _Ours(
            r.id,
            RecordingStatus(r.status),
            r.started_at,
            r.delete_after,
            bool(r.held),
            bool(r.after_hold),
        )
        for r in session.execute(query)
    }


def _expire_never_stored(
    runtime: Runtime, decisions: list[_TwilioDecision], now: datetime, summary: RetentionSummary
) -> list[_TwilioDecision]:
    """Mark never-stored recordings past their time deleted, before Twilio's copy goes.

    Marked first, so a run killed before the Twilio delete leaves a deleted row whose copy the
    next run deletes, never a pending one the reconcile job keeps retrying. The guarded UPDATE
    skips a row stored or put under a hold since we read it: its copy is left this time.
    """
    expiring = [(d.sid, *d.expire) for d in decisions if d.expire is not None]
    if not expiring:
        return decisions
    marked: set[str] = set()
    with runtime.db.transaction() as session:
        for sid, recording_id, due in expiring:
            changed = session.execute(
                update(Recording)
                .where(
                    Recording.id == recording_id,
                    Recording.status.in_([RecordingStatus.PENDING, RecordingStatus.FAILED]),
                    ~held_clause(),
                )
                .values(
                    status=RecordingStatus.DELETED,
                    deleted_at=now,
                    delete_after=due,  # the row's own, or computed as for storing
                    wrapped_key=None,
                )
                .execution_options(synchronize_session=False)
            ).rowcount
            if changed:
                marked.add(sid)
        if marked:
            audit.record(
                session,
                actor=audit.SYSTEM,
                action="retention.expire_never_stored",
                subject_type="recording_batch",
                subject_id=f"{summary.run_id}-never-stored-{len(summary.never_stored_expired)}",
                details={"count": len(marked), "recording_sids": sorted(marked)},
                reason="past its retention date and never stored: Twilio's copy is deleted",
            )
    if marked:
        log.warning("%d recordings never stored reached their retention date", len(marked))
        summary.never_stored_expired.extend(sorted(marked))
    return [
        d if d.expire is None or d.sid in marked else replace(d, action="leave", expire=None)
        for d in decisions
    ]


def _record_twilio_deletions(
    runtime: Runtime, deleted: list[_TwilioDecision], now: datetime, run_id: str
) -> None:
    """One deletion record per Twilio copy deleted (never twice), one audit entry per page."""
    if not deleted:
        return
    with runtime.db.transaction() as session:
        already = set(
            session.scalars(
                select(DeletionRecord.recording_sid).where(
                    DeletionRecord.recording_sid.in_([d.sid for d in deleted]),
                    DeletionRecord.what == DeletedWhat.TWILIO_COPY,
                )
            )
        )
        fresh = [d for d in deleted if d.sid not in already]
        if fresh:
            session.execute(
                insert(DeletionRecord),
                [
                    {
                        "recording_sid": d.sid,
                        "call_sid": d.call_sid,
                        "what": DeletedWhat.TWILIO_COPY.value,
                        "rule": d.rule,
                        "deleted_at": now,
                    }
                    for d in fresh
                ],
            )
        audit.record(
            session,
            actor=audit.SYSTEM,
            action="retention.twilio_delete",
            subject_type="twilio_recordings",
            subject_id=run_id,
            details={
                "count": len(deleted),
                "rules": dict(Counter(str(d.rule) for d in deleted)),
                "recording_sids": [d.sid for d in deleted],
            },
        )


def _ingest_unknown(
    runtime: Runtime, listed: Any, call: Call | None, months: int, summary: RetentionSummary
) -> None:
    """A recording whose callback we never got: add it as pending and enqueue its ingest."""
    started = listed.start_time or listed.date_created
    duration = int(listed.duration) if str(listed.duration or "").isdigit() else None
    try:
        with runtime.db.transaction() as session:
            recording = Recording(
                recording_sid=listed.sid,
                call_sid=listed.call_sid,
                call_id=call.id if call else None,
                status=RecordingStatus.PENDING,
                twilio_status=listed.status,
                source=listed.source,
                channels=listed.channels,
                started_at=started,
                duration_seconds=duration,
                delete_after=delete_after(started, months),
            )
            session.add(recording)
            session.flush()
            audit.record(
                session,
                actor=audit.SYSTEM,
                action="retention.ingest_unknown",
                subject_type="recording",
                subject_id=listed.sid,
                details={"reason": "listed at Twilio, never announced to us"},
            )
            recording_id = recording.id
    except IntegrityError:  # its callback arrived meanwhile: the ingest is already under way
        return
    enqueue(runtime.settings, INGEST_JOB, recording_id, job_id=f"ingest-{listed.sid}")
    summary.ingest_enqueued.append(listed.sid)


# --- Twilio's copies, also deleted by step 1 --------------------------------------------------


def _delete_at_twilio(runtime: Runtime, sid: str) -> bool:
    """Delete Twilio's copy; True when it is gone (a 404 means it already was)."""
    try:
        delete_recording(runtime.twilio, sid)
    except TwilioRestException as exc:
        log.warning("Twilio refused to delete recording %s: %s %s", sid, exc.status, exc.code)
        return False
    except (TwilioException, RequestException) as exc:
        log.warning("could not reach Twilio to delete recording %s: %s", sid, exc)
        return False
    return True


def delete_twilio_copies(
    runtime: Runtime, sids: Iterable[str], now: datetime, summary: RetentionSummary
) -> list[str]:
    """Delete copies at Twilio and note them on our rows; failures are left to the next run."""
    gone = []
    for sid in sids:
        if _delete_at_twilio(runtime, sid):
            gone.append(sid)
        else:
            summary.failures.append(f"twilio delete {sid}")
    if gone:
        with runtime.db.transaction() as session:
            session.execute(
                update(Recording)
                .where(Recording.recording_sid.in_(gone), Recording.twilio_deleted_at.is_(None))
                .values(twilio_deleted_at=now)
                .execution_options(synchronize_session=False)
            )
    return gone
