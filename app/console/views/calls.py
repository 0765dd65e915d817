"""/console/calls: search calls by number and dates (the API's parsing), a call's legs and its
recordings, and playback behind a stated reason through the audited audio route (SPEC §14)."""

from __future__ import annotations

from datetime import date, datetime, time

from flask import abort, g, render_template, request
from sqlalchemy import select

from app.api.recordings import REASON
from app.api.validation import moment_arg, phone_number
from app.console import bp
from app.console.auth import console_roles
from app.db.session import request_session
from app.domain import audit
from app.domain import calls as call_records
from app.domain.phone import mask
from app.models import Call, CallLeg, Recording, Role
from app.web.errors import ApiError
from recordings.retention import LONDON

PAGE_SIZE = 100
READERS = (Role.SUPERVISOR, Role.RECORDS_OFFICER)


def _moment(name: str) -> datetime | None:
    """An RFC 3339 moment as GET /api/calls takes it; a bare date means London midnight."""
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    try:
        return datetime.combine(date.fromisoformat(raw), time(0), tzinfo=LONDON)
    except ValueError:
        return moment_arg(name)


@bp.get("/calls")
@console_roles(*READERS)
def calls() -> tuple[str, int]:
    """The newest calls matching the number and dates given."""
    errors: dict[str, str] = {}
    query = select(Call).order_by(Call.started_at.desc(), Call.id.desc()).limit(PAGE_SIZE)
    number = request.args.get("number", "").strip()
    if number:
        try:
            query = query.where(Call.from_number == phone_number(number, "number"))
        except ApiError as exc:
            errors["number"] = exc.message
    for name, keep in (("since", Call.started_at.__ge__), ("until", Call.started_at.__lt__)):
        try:
            moment = _moment(name)
        except ApiError as exc:
            errors[name] = exc.message
            continue
        if moment is not None:
            query = query.where(keep(moment))
    searched = bool(number or request.args.get("since") or request.args.get("until"))
    found = [] if errors or not searched else list(request_session().scalars(query))
    page = render_template(
        "console/calls/search.html", calls=found, errors=errors, searched=searched, mask=mask
    )
    return page, 400 if errors else 200


@bp.get("/calls/<call_sid>")
@console_roles(*READERS)
def call_detail(call_sid: str) -> tuple[str, int]:
    """One call, its legs and recordings; a recording plays once a reason is given."""
    session = request_session()
    call = (
        call_records.find_call(session, call_sid) if call_records.CALL_SID.match(call_sid) else None
    )
    if call is None:
        abort(404)
    legs = session.scalars(select(CallLeg).where(CallLeg.call_id == call.id).order_by(CallLeg.id))
    found = session.scalars(
        select(Recording).where(Recording.call_sid == call.call_sid).order_by(Recording.id)
    )
    playing, reason = request.args.get("play"), request.args.get("reason")
    error = None
    if reason is not None and not REASON.admits(reason):
        error, reason = f"State why you need this recording ({REASON.description})", None
    audit.record(
        session,
        actor=str(g.staff.email),
        action="console.call_view",
        subject_type="call",
        subject_id=call.call_sid,
    )
    session.commit()
    page = render_template(
        "console/calls/detail.html",
        call=call,
        legs=list(legs),
        recordings=list(found),
        playing=playing,
        reason=" ".join(reason.split()) if reason else None,
        error=error,
    )
    return page, 400 if error else 200
