"""Subject access requests for records officers: register, list, show, verify identity,
extend, record authority and close (SPEC §8, §12); their packages are in access_packages.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask import Response, current_app, jsonify, request
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.api import bp
from app.api.formats import NHS_NUMBER, free_text
from app.api.validation import (
    bounded_list,
    choice,
    day,
    field,
    json_body,
    phone_number,
    stripped_text,
    text,
)
from app.db.session import request_session
from app.domain import access_request_clock as sar_clock
from app.domain import access_requests as sar
from app.domain.languages import Language
from app.models import AccessRequest, Authority, Relationship, RequestStatus, Role
from app.web.auth import current_staff, require_roles
from app.web.errors import ApiError
from app.web.runtime import recording_store
from recordings.subject_access import (
    EXTENSION_MONTHS,
    clock_start,
    london_today,
    validate_nhs_number,
)

MAX_NUMBERS = 20
MAX_REFERENCES = 20
MAX_LIMIT = 500
REFERENCE_TYPES = ("nhs_number", "other")


def clock_now() -> datetime:
    """The app's clock now."""
    return current_app.config["CLOCK"]()  # type: ignore[no-any-return]


# --- JSON views -----------------------------------------------------------------------------


def iso(value: date | datetime | None) -> str | None:
    """ISO 8601 text for a date or a moment; None stays None."""
    return value.isoformat() if value else None


def request_json(session: Session, item: AccessRequest, *, detail: bool = False) -> dict[str, Any]:
    """A request as records officers see it, with its due date and flag."""
    start = clock_start(item.received_on, item.identity_verified_on, item.identity_pending)
    body: dict[str, Any] = {
        "id": item.id,
        "reference": item.reference,
        "status": item.status,
        "requester_name": item.requester_name,
        "language": item.language,
        "relationship": item.requester_relationship,
        "data_subject_name": item.data_subject_name,
        "authority": item.authority,
        "authority_evidence": item.authority_evidence,
        "phone_numbers": item.phone_numbers,
        "date_from": iso(item.date_from),
        "date_to": iso(item.date_to),
        "person_references": item.person_references,
        "received_on": iso(item.received_on),
        "identity_pending": item.identity_pending and item.identity_verified_on is None,
        "identity_verified_on": iso(item.identity_verified_on),
        "clock_started_on": iso(start),
        "due_date": iso(item.due_on),
        "flag": sar.request_flag(item, london_today(clock_now())),
        "extended_by_months": item.extended_by_months,
        "extension_reason": item.extension_reason,
        "paused": item.paused_at is not None,
        "paused_at": iso(item.paused_at),
        "pause_reason": item.pause_reason,
        "paused_days": item.paused_days or 0,
        "refusal": _refusal_json(item),
        "package": {
            "state": item.package_state,
            "job_id": item.package_job_id,
            "recordings_done": item.package_progress,
            "recordings_total": item.package_total,
            "error": item.package_error,
        },
        "created_at": iso(item.created_at),
        "closed_at": iso(item.closed_at),
    }
    if detail:
        body["fulfilment_blocker"] = sar.fulfilment_blocker(session, item)
        body["recordings"] = _recordings_json(session, item)
    else:
        body["recording_count"] = sar.listed_count(session, item)
    return body


def _refusal_json(item: AccessRequest) -> dict[str, Any] | None:
    if item.refused_at is None:
        return None
    return {
        "refused_at": iso(item.refused_at),
        "ground": item.refusal_ground,
        "reason": item.refusal_reason,
        "notice": sar_clock.refusal_notice_of(item),
    }


def _recordings_json(session: Session, item: AccessRequest) -> list[dict[str, Any]]:
    active = sar.active_hold_ids(session, item)
    return [
        {
            "recording_sid": listed.recording.recording_sid,
            "call_sid": listed.recording.call_sid,
            "call_started_at": iso(listed.call_started_at),
            "started_at": iso(listed.recording.started_at),
            "duration_seconds": listed.recording.duration_seconds,
            "status": listed.recording.status,
            "include": listed.include,
            "redactions": listed.redactions,
            "reason": listed.reason,
            "hold_id": listed.hold_id,
            "held": listed.hold_id in active,
        }
        for listed in sar.listed_recordings(session, item)
    ]


# --- input ----------------------------------------------------------------------------------

NAME = free_text(200)
OPTIONAL_NAME = free_text(200, blank=True)  # blank counts as absent
EVIDENCE = free_text(200)
OPTIONAL_EVIDENCE = free_text(200, blank=True)
OTHER_REFERENCE = free_text(200)
EXTENSION_REASON = free_text(2000)


def _numbers(body: dict[str, Any]) -> list[str]:
    numbers = []
    for value in bounded_list(body, "phone_numbers", MAX_NUMBERS, least=1):
        if not isinstance(value, str):
            raise ApiError(422, "invalid", f"{value!r} in 'phone_numbers' is not a phone number.")
        numbers.append(phone_number(value, "phone_numbers"))
    return numbers


def _references(body: dict[str, Any]) -> list[dict[str, str]]:
    references = []
    for ref in bounded_list(body, "person_references", MAX_REFERENCES):
        if not isinstance(ref, dict) or ref.get("type") not in REFERENCE_TYPES:
            raise ApiError(
                422,
                "invalid",
                'Each person reference is {"type": "nhs_number" or "other", "value": …}.',
            )
        if ref["type"] == "other":
            value = stripped_text(ref, "value", OTHER_REFERENCE)
        else:
            value = validate_nhs_number(text(ref, "value", NHS_NUMBER))
        references.append({"type": ref["type"], "value": value})
    return references


def _new_request(body: dict[str, Any]) -> sar.NewAccessRequest:
    return sar.NewAccessRequest(
        requester_name=stripped_text(body, "requester_name", NAME),
        relationship=Relationship(choice(body, "relationship", Relationship)),
        data_subject_name=stripped_text(body, "data_subject_name", OPTIONAL_NAME, required=False),
        authority=choice(body, "authority", Authority, required=False),
        authority_evidence=stripped_text(
            body, "authority_evidence", OPTIONAL_EVIDENCE, required=False
        ),
        phone_numbers=_numbers(body),
        date_from=day(body, "date_from"),
        date_to=day(body, "date_to"),
        person_references=_references(body),
        received_on=day(body, "received_on") or london_today(clock_now()),
        identity_pending=bool(field(body, "identity_pending", bool, required=False)),
        language=choice(body, "language", Language, required=False) or "en",
    )


# --- lookups --------------------------------------------------------------------------------


def request_or_404(request_id: int, *, lock: bool = False) -> AccessRequest:
    """The access request with this id (locked for update if asked), or 404."""
    found = request_session().get(AccessRequest, request_id, with_for_update=lock)
    if found is None:
        raise ApiError(404, "not_found", f"No access request {request_id}.")
    return found


def commit_and_show(item: AccessRequest, status: int = 200) -> tuple[Response, int]:
    """Commit the step and answer with the request in detail."""
    session = request_session()
    session.commit()
    return jsonify(request_json(session, item, detail=True)), status


# --- routes ---------------------------------------------------------------------------------


@bp.post("/access-requests")
@require_roles(Role.RECORDS_OFFICER)
def register_access_request():  # noqa: ANN201
    """Register a request: find matching calls and hold them (every recording of them) at once."""
    new = _new_request(json_body())
    session = request_session()
    item = sar.register(session, new, actor=current_staff().email, now=clock_now())
    return commit_and_show(item, 201)


@bp.get("/access-requests")
@require_roles(Role.RECORDS_OFFICER)
def list_access_requests():  # noqa: ANN201
    """Requests, soonest due first (open ones before closed), with due dates and flags."""
    status = request.args.get("status")
    if status is not None and status not in {s.value for s in RequestStatus}:
        raise ApiError(422, "invalid", "'status' must be open or closed.")
    raw_limit = request.args.get("limit", "100")
    if not raw_limit.isdigit() or not 1 <= int(raw_limit) <= MAX_LIMIT:
        raise ApiError(422, "invalid", f"'limit' must be 1 to {MAX_LIMIT}.")
    query = select(AccessRequest).order_by(
        AccessRequest.status.desc(),  # "open" sorts after "closed": descending puts it first
        func.coalesce(AccessRequest.due_on, date.max),
        AccessRequest.id,
    )
    if status is not None:
        query = query.where(AccessRequest.status == status)
    session = request_session()
    items = session.scalars(query.limit(int(raw_limit))).all()
    return jsonify([request_json(session, item) for item in items])


@bp.get("/access-requests/<int:request_id>")
@require_roles(Role.RECORDS_OFFICER)
def get_access_request(request_id: int):  # noqa: ANN201
    """One request with its recordings, their review and their holds."""
    item = request_or_404(request_id)
    return jsonify(request_json(request_session(), item, detail=True))


@bp.post("/access-requests/<int:request_id>/identity-verified")
@require_roles(Role.RECORDS_OFFICER)
def identity_verified(request_id: int):  # noqa: ANN201
    """The requester's identity is verified: the clock starts on that day."""
    body = json_body() if request.get_data() else {}
    verified_on = day(body, "verified_on") or london_today(clock_now())
    item = request_or_404(request_id, lock=True)
    sar.verify_identity(
        request_session(), item, verified_on, actor=current_staff().email, now=clock_now()
    )
    return commit_and_show(item)


@bp.post("/access-requests/<int:request_id>/extend")
@require_roles(Role.RECORDS_OFFICER)
def extend_access_request(request_id: int):  # noqa: ANN201
    """The one extension, by 1 or 2 months, with a reason, before the due date."""
    body = json_body()
    months = field(body, "months", int)
    if months not in EXTENSION_MONTHS:
        raise ApiError(422, "invalid", "'months' must be 1 or 2.")
    reason = stripped_text(body, "reason", EXTENSION_REASON)
    item = request_or_404(request_id, lock=True)
    sar_clock.extend(
        request_session(), item, months, reason, actor=current_staff().email, now=clock_now()
    )
    return commit_and_show(item)


@bp.post("/access-requests/<int:request_id>/authority")
@require_roles(Role.RECORDS_OFFICER)
def record_authority(request_id: int):  # noqa: ANN201
    """Record the authority a third-party requester acts under, with its evidence reference."""
    body = json_body()
    authority = choice(body, "authority", Authority)
    evidence = stripped_text(body, "authority_evidence", EVIDENCE)
    item = request_or_404(request_id, lock=True)
    sar.record_authority(request_session(), item, authority, evidence, actor=current_staff().email)
    return commit_and_show(item)


@bp.post("/access-requests/<int:request_id>/close")
@require_roles(Role.RECORDS_OFFICER)
def close_access_request(request_id: int):  # noqa: ANN201
    """Close: release the holds (retention then deletes what is due) and delete the package."""
    session = request_session()
    item = request_or_404(request_id, lock=True)
    _, keys = sar.close(session, item, actor=current_staff().email, now=clock_now())
    session.commit()
    # The packages' keys are destroyed with the commit; removing the ciphertext is tidying.
    sar.delete_objects(recording_store(), keys)
    return jsonify(request_json(session, item, detail=True))
