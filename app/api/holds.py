"""Legal holds: POST/GET /api/holds and DELETE /api/holds/{id} (records officers, SPEC §7, §12)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import current_app, jsonify, request
from sqlalchemy import Select, select

from app.api import bp
from app.api.formats import CALL_SID, PHONE, RECORDING_SID, Text, free_text
from app.api.validation import choice, json_body, phone_number, text
from app.db.session import request_session
from app.domain.holds import place_hold, release_hold
from app.models import Call, HoldKind, LegalHold, Recording, Role
from app.web.auth import current_staff, require_roles
from app.web.errors import ApiError

DEFAULT_KIND = HoldKind.COMPLAINT
TARGETS = ("call_sid", "recording_sid", "number")
REASON = free_text(2000)
REFERENCE = free_text(120)
TARGET_RULES = {
    "call_sid": Text("A CallSid", 34, CALL_SID),
    "recording_sid": Text("A RecordingSid", 34, RECORDING_SID),
    "number": PHONE,
}


def _now() -> datetime:
    return current_app.config["CLOCK"]()  # type: ignore[no-any-return]


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def hold_json(
    hold: LegalHold, targets: tuple[str | None, str | None] | None = None
) -> dict[str, Any]:
    """A hold as records officers see it; `targets` is its (CallSid, RecordingSid) if known."""
    call_sid, recording_sid = targets if targets is not None else _target_sids(hold)
    return {
        "id": hold.id,
        "kind": hold.kind,
        "reason": hold.reason,
        "reference": hold.reference,
        "call_sid": call_sid,
        "recording_sid": recording_sid,
        "number": hold.number,
        "active": hold.active,
        "created_by": hold.created_by,
        "created_at": _iso(hold.created_at),
        "released_at": _iso(hold.released_at),
        "released_by": hold.released_by,
    }


def _target_sids(hold: LegalHold) -> tuple[str | None, str | None]:
    session = request_session()
    call_sid = recording_sid = None
    if hold.call_id is not None:
        call_sid = session.scalar(select(Call.call_sid).where(Call.id == hold.call_id))
    if hold.recording_id is not None:
        recording_sid = session.scalar(
            select(Recording.recording_sid).where(Recording.id == hold.recording_id)
        )
    return call_sid, recording_sid


def holds_json(query: Select[tuple[LegalHold]]) -> list[dict[str, Any]]:
    """The holds `query` selects, their targets' sids read in the same statement (one query
    for a page of holds, not two more per hold)."""
    rows = request_session().execute(
        query.add_columns(Call.call_sid, Recording.recording_sid)
        .outerjoin(Call, Call.id == LegalHold.call_id)
        .outerjoin(Recording, Recording.id == LegalHold.recording_id)
    )
    return [hold_json(hold, (call_sid, recording_sid)) for hold, call_sid, recording_sid in rows]


def _target(body: dict[str, Any]) -> dict[str, Any]:
    """The one target named in the body, resolved to ids: 422 for two or none, 404 if unknown."""
    named = [name for name in TARGETS if body.get(name) is not None]
    if len(named) != 1:
        raise ApiError(422, "invalid", "Name exactly one of call_sid, recording_sid or number.")
    name = named[0]
    value = text(body, name, TARGET_RULES[name])
    session = request_session()
    if name == "call_sid":
        call_id = session.scalar(select(Call.id).where(Call.call_sid == value))
        if call_id is None:
            raise ApiError(404, "not_found", f"No call {value}.")
        return {"call_id": call_id}
    if name == "recording_sid":
        recording_id = session.scalar(select(Recording.id).where(Recording.recording_sid == value))
        if recording_id is None:
            raise ApiError(404, "not_found", f"No recording {value}.")
        return {"recording_id": recording_id}
    return {"number": phone_number(value, "number")}


@bp.post("/holds")
@require_roles(Role.RECORDS_OFFICER)
def create_hold():  # noqa: ANN201
    """Place a legal hold on a call, a recording or a phone number."""
    body = json_body()
    reason = text(body, "reason", REASON)
    reference = text(body, "reference", REFERENCE)
    kind = choice(body, "kind", HoldKind, required=False) or DEFAULT_KIND
    session = request_session()
    hold = place_hold(
        session,
        kind=kind,
        reason=reason,
        reference=reference,
        actor=current_staff().email,
        now=_now(),
        **_target(body),
    )
    session.commit()
    return jsonify(hold_json(hold)), 201


@bp.get("/holds")
@require_roles(Role.RECORDS_OFFICER)
def list_holds():  # noqa: ANN201
    """Holds, newest first; `?active=true` or `false` to filter."""
    query = select(LegalHold).order_by(LegalHold.created_at.desc(), LegalHold.id.desc())
    active = request.args.get("active")
    if active not in (None, "true", "false"):
        raise ApiError(422, "invalid", "active must be 'true' or 'false'.")
    if active == "true":
        query = query.where(LegalHold.released_at.is_(None))
    elif active == "false":
        query = query.where(LegalHold.released_at.is_not(None))
    return jsonify(holds_json(query))


@bp.delete("/holds/<int:hold_id>")
@require_roles(Role.RECORDS_OFFICER)
def delete_hold(hold_id: int):  # noqa: ANN201
    """Release a hold; recordings it kept past their time are deleted on the next run."""
    session = request_session()
    hold = release_hold(session, hold_id, current_staff().email, now=_now())
    session.commit()
    return jsonify(hold_json(hold))
