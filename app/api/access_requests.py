"""Subject access requests for records officers (SPEC §8, §12)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from flask import current_app, jsonify, request
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.api import bp
from app.api.formats import (
    DATE,
    NHS_NUMBER,
    PHONE,
    RECORDING_SID,
    SPACE,
    Text,
    free_text,
    matches,
)
from app.api.openapi import error_responses, path_id, path_parameter
from app.api.validation import choice, day, field, json_body, phone_number, text
from app.db.session import request_session
from app.domain import access_requests as sar
from app.domain.languages import Language
from app.integrations.queue import enqueue
from app.models import (
    AccessRequest,
    Authority,
    PackageState,
    Recording,
    Relationship,
    RequestStatus,
    Role,
)
from app.web.auth import current_staff, require_roles
from app.web.errors import ApiError
from app.web.runtime import recording_store
from recordings.subject_access import (
    EXTENSION_MONTHS,
    InvalidNhsNumber,
    clock_start,
    london_today,
    validate_nhs_number,
)

MAX_NUMBERS = 20
MAX_REFERENCES = 20
MAX_REDACTIONS = 200
MAX_LIMIT = 500
REFERENCE_TYPES = ("nhs_number", "other")


def _now() -> datetime:
    return current_app.config["CLOCK"]()  # type: ignore[no-any-return]


# --- JSON views -----------------------------------------------------------------------------


def _iso(value: date | datetime | None) -> str | None:
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
        "date_from": _iso(item.date_from),
        "date_to": _iso(item.date_to),
        "person_references": item.person_references,
        "received_on": _iso(item.received_on),
        "identity_pending": item.identity_pending and item.identity_verified_on is None,
        "identity_verified_on": _iso(item.identity_verified_on),
        "clock_started_on": _iso(start),
        "due_date": _iso(item.due_on),
        "flag": sar.request_flag(item, london_today(_now())),
        "extended_by_months": item.extended_by_months,
        "extension_reason": item.extension_reason,
        "package": {
            "state": item.package_state,
            "job_id": item.package_job_id,
            "recordings_done": item.package_progress,
            "recordings_total": item.package_total,
            "error": item.package_error,
        },
        "created_at": _iso(item.created_at),
        "closed_at": _iso(item.closed_at),
    }
    if detail:
        body["fulfilment_blocker"] = sar.fulfilment_blocker(session, item)
        body["recordings"] = _recordings_json(session, item)
    else:
        body["recording_count"] = sar.listed_count(session, item)
    return body


def _recordings_json(session: Session, item: AccessRequest) -> list[dict[str, Any]]:
    active = sar.active_hold_ids(session, item)
    return [
        {
            "recording_sid": listed.recording.recording_sid,
            "call_sid": listed.recording.call_sid,
            "call_started_at": _iso(listed.call_started_at),
            "started_at": _iso(listed.recording.started_at),
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
REVIEW_REASON = free_text(2000, blank=True)
REDACTION_REASON = free_text(500, blank=True)


def _stripped(body: dict[str, Any], name: str, rule: Text, *, required: bool = True) -> Any:
    """The field's text without surrounding spaces; None for an absent, null or blank one."""
    value = text(body, name, rule, required=required)
    return (value or "").strip() or None


def _list(body: dict[str, Any], name: str, most: int, *, least: int = 0) -> list[Any]:
    raw = field(body, name, list, required=least > 0) or []
    if not least <= len(raw) <= most:
        raise ApiError(422, "invalid", f"'{name}' must list {least} to {most} items.")
    return raw


def _numbers(body: dict[str, Any]) -> list[str]:
    numbers = []
    for value in _list(body, "phone_numbers", MAX_NUMBERS, least=1):
        if not isinstance(value, str):
            raise ApiError(422, "invalid", f"{value!r} in 'phone_numbers' is not a phone number.")
        numbers.append(phone_number(value, "phone_numbers"))
    return numbers


def _references(body: dict[str, Any]) -> list[dict[str, str]]:
    references = []
    for ref in _list(body, "person_references", MAX_REFERENCES):
        if not isinstance(ref, dict) or ref.get("type") not in REFERENCE_TYPES:
            raise ApiError(
                422,
                "invalid",
                'Each person reference is {"type": "nhs_number" or "other", "value": …}.',
            )
        if ref["type"] == "other":
            value = _stripped(ref, "value", OTHER_REFERENCE)
        else:
            try:
                value = validate_nhs_number(text(ref, "value", NHS_NUMBER))
            except InvalidNhsNumber as exc:
                raise ApiError(422, "invalid_nhs_number", f"Invalid NHS number: {exc}.") from None
        references.append({"type": ref["type"], "value": value})
    return references


def _new_request(body: dict[str, Any]) -> sar.NewAccessRequest:
    return sar.NewAccessRequest(
        requester_name=_stripped(body, "requester_name", NAME),
        relationship=Relationship(choice(body, "relationship", Relationship)),
        data_subject_name=_stripped(body, "data_subject_name", OPTIONAL_NAME, required=False),
        authority=choice(body, "authority", Authority, required=False),
        authority_evidence=_stripped(body, "authority_evidence", OPTIONAL_EVIDENCE, required=False),
        phone_numbers=_numbers(body),
        date_from=day(body, "date_from"),
        date_to=day(body, "date_to"),
        person_references=_references(body),
        received_on=day(body, "received_on") or london_today(_now()),
        identity_pending=bool(field(body, "identity_pending", bool, required=False)),
        language=choice(body, "language", Language, required=False) or "en",
    )


def _redactions(body: dict[str, Any]) -> list[sar.Redaction]:
    return [_redaction(item) for item in _list(body, "redactions", MAX_REDACTIONS)]


def _seconds(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise ApiError(422, "invalid", "Redaction bounds are seconds from the start, 0 or more.")
    return float(value)


def _redaction(item: Any) -> sar.Redaction:
    if isinstance(item, list) and len(item) == 2:
        return sar.Redaction(_seconds(item[0]), _seconds(item[1]))
    if isinstance(item, dict) and "start" in item and "end" in item:
        reason = _stripped(item, "reason", REDACTION_REASON, required=False)
        return sar.Redaction(_seconds(item["start"]), _seconds(item["end"]), reason)
    raise ApiError(
        422,
        "invalid",
        'Each redaction is [start_s, end_s] or {"start": s, "end": s, "reason": text}.',
    )


# --- lookups --------------------------------------------------------------------------------


def _request_or_404(request_id: int, *, lock: bool = False) -> AccessRequest:
    found = request_session().get(AccessRequest, request_id, with_for_update=lock)
    if found is None:
        raise ApiError(404, "not_found", f"No access request {request_id}.")
    return found


def _recording_or_404(recording_sid: str) -> Recording:
    found = None
    if matches(RECORDING_SID, recording_sid):
        query = select(Recording).where(Recording.recording_sid == recording_sid)
        found = request_session().scalar(query)
    if found is None:
        raise ApiError(404, "not_found", f"No recording {recording_sid}.")
    return found


def _commit_and_show(item: AccessRequest, status: int = 200):  # noqa: ANN202
    session = request_session()
    session.commit()
    return jsonify(request_json(session, item, detail=True)), status


def _domain_error(exc: sar.AccessRequestError) -> ApiError:
    request_session().rollback()
    if isinstance(exc, sar.AccessRequestInvalid):
        return ApiError(422, "invalid", str(exc))
    return ApiError(409, "conflict", str(exc))


# --- routes ---------------------------------------------------------------------------------


@bp.post("/access-requests")
@require_roles(Role.RECORDS_OFFICER)
def register_access_request():  # noqa: ANN201
    """Register a request: find matching calls and hold them (every recording of them) at once."""
    new = _new_request(json_body())
    session = request_session()
    try:
        item = sar.register(session, new, actor=current_staff().email, now=_now())
    except sar.AccessRequestError as exc:
        raise _domain_error(exc) from exc
    return _commit_and_show(item, 201)


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
    item = _request_or_404(request_id)
    return jsonify(request_json(request_session(), item, detail=True))


@bp.post("/access-requests/<int:request_id>/identity-verified")
@require_roles(Role.RECORDS_OFFICER)
def identity_verified(request_id: int):  # noqa: ANN201
    """The requester's identity is verified: the clock starts on that day."""
    body = json_body() if request.get_data() else {}
    verified_on = day(body, "verified_on") or london_today(_now())
    item = _request_or_404(request_id, lock=True)
    try:
        sar.verify_identity(
            request_session(), item, verified_on, actor=current_staff().email, now=_now()
        )
    except sar.AccessRequestError as exc:
        raise _domain_error(exc) from exc
    return _commit_and_show(item)


@bp.post("/access-requests/<int:request_id>/extend")
@require_roles(Role.RECORDS_OFFICER)
def extend_access_request(request_id: int):  # noqa: ANN201
    """The one extension, by 1 or 2 months, with a reason, before the due date."""
    body = json_body()
    months = field(body, "months", int)
    if months not in EXTENSION_MONTHS:
        raise ApiError(422, "invalid", "'months' must be 1 or 2.")
    reason = _stripped(body, "reason", EXTENSION_REASON)
    item = _request_or_404(request_id, lock=True)
    try:
        sar.extend(request_session(), item, months, reason, actor=current_staff().email, now=_now())
    except sar.AccessRequestError as exc:
        raise _domain_error(exc) from exc
    return _commit_and_show(item)


@bp.post("/access-requests/<int:request_id>/authority")
@require_roles(Role.RECORDS_OFFICER)
def record_authority(request_id: int):  # noqa: ANN201
    """Record the authority a third-party requester acts under, with its evidence reference."""
    body = json_body()
    authority = choice(body, "authority", Authority)
    evidence = _stripped(body, "authority_evidence", EVIDENCE)
    item = _request_or_404(request_id, lock=True)
    try:
        sar.record_authority(
            request_session(), item, authority, evidence, actor=current_staff().email
        )
    except sar.AccessRequestError as exc:
        raise _domain_error(exc) from exc
    return _commit_and_show(item)


@bp.patch("/access-requests/<int:request_id>/recordings/<recording_sid>")
@require_roles(Role.RECORDS_OFFICER)
def review_recording(request_id: int, recording_sid: str):  # noqa: ANN201
    """Include or exclude one recording and mark the ranges to silence."""
    body = json_body()
    include = field(body, "include", bool)
    redactions = _redactions(body)
    reason = _stripped(body, "reason", REVIEW_REASON, required=False)
    item = _request_or_404(request_id, lock=True)
    recording = _recording_or_404(recording_sid)
    try:
        sar.review_recording(
            request_session(),
            item,
            recording,
            include=include,
            redactions=redactions,
            reason=reason,
            actor=current_staff().email,
            now=_now(),
        )
    except LookupError as exc:
        raise ApiError(404, "not_found", str(exc)) from exc
    except sar.AccessRequestError as exc:
        raise _domain_error(exc) from exc
    return _commit_and_show(item)


@bp.post("/access-requests/<int:request_id>/fulfil")
@require_roles(Role.RECORDS_OFFICER)
def fulfil(request_id: int):  # noqa: ANN201
    """Queue the packaging job; answers with the job's state and id."""
    session, settings = request_session(), current_app.config["SETTINGS"]
    item = _request_or_404(request_id, lock=True)
    try:
        _, job_id = sar.start_fulfilment(session, item, actor=current_staff().email)
    except sar.AccessRequestError as exc:
        raise _domain_error(exc) from exc
    session.commit()
    if enqueue(settings, sar.PACKAGE_JOB, item.id, job_id=job_id) is None:
        item.package_state, item.package_error = PackageState.FAILED, "the job queue is down"
        session.commit()
        raise ApiError(503, "queue_unavailable", "The job queue is unreachable: try again.")
    return jsonify({"state": item.package_state, "job_id": job_id}), 202


def _package_or_404(item: AccessRequest):  # noqa: ANN202
    package = sar.current_package(request_session(), item)
    if package is None:
        if item.package_state in (PackageState.QUEUED, PackageState.RUNNING):
            raise ApiError(409, "not_ready", f"The package is still {item.package_state}.")
        raise ApiError(404, "not_found", f"{item.reference} has no package: fulfil it first.")
    return package


@bp.get("/access-requests/<int:request_id>/package")
@require_roles(Role.RECORDS_OFFICER)
def get_package(request_id: int):  # noqa: ANN201
    """A fresh download link for the requester (any earlier link stops working)."""
    session, settings = request_session(), current_app.config["SETTINGS"]
    item = _request_or_404(request_id, lock=True)
    if item.status != RequestStatus.OPEN:
        raise ApiError(409, "conflict", f"{item.reference} is closed: its package is deleted.")
    package = _package_or_404(item)
    ttl = timedelta(days=settings.access_link_days)
    token = sar.issue_link(session, package, ttl, actor=current_staff().email, now=_now())
    session.commit()
    return jsonify(
        {
            "url": f"{settings.public_base_url}/access/{token}",
            "expires_at": _iso(package.expires_at),
            "package_id": package.id,
            "recordings": package.recording_count,
            "size_bytes": package.size_bytes,
            "downloads": package.downloads,
        }
    )


@bp.delete("/access-requests/<int:request_id>/package")
@require_roles(Role.RECORDS_OFFICER)
def revoke_package_link(request_id: int):  # noqa: ANN201
    """Revoke the download link at once."""
    session = request_session()
    item = _request_or_404(request_id, lock=True)
    package = _package_or_404(item)
    try:
        sar.revoke_link(session, package, actor=current_staff().email, now=_now())
    except sar.AccessRequestError as exc:
        raise _domain_error(exc) from exc
    session.commit()
    return jsonify({"package_id": package.id, "revoked_at": _iso(package.revoked_at)})


@bp.post("/access-requests/<int:request_id>/close")
@require_roles(Role.RECORDS_OFFICER)
def close_access_request(request_id: int):  # noqa: ANN201
    """Close: release the holds (retention then deletes what is due) and delete the package."""
    session = request_session()
    item = _request_or_404(request_id, lock=True)
    try:
        _, keys = sar.close(session, item, actor=current_staff().email, now=_now())
    except sar.AccessRequestError as exc:
        raise _domain_error(exc) from exc
    session.commit()
    # The packages' keys are destroyed with the commit; removing the ciphertext is tidying.
    sar.delete_objects(recording_store(), keys)
    return jsonify(request_json(session, item, detail=True))


# --- OpenAPI --------------------------------------------------------------------------------

_DATE = {"type": "string", "format": "date"}
_MOMENT = {"type": ["string", "null"], "format": "date-time"}
_ID = path_id("request_id")
_SID = path_parameter("recording_sid", {"type": "string", "pattern": RECORDING_SID})
_SECONDS = {"type": "number", "minimum": 0}
_REDACTION = {
    "oneOf": [
        {
            "type": "array",
            "description": "[start_s, end_s]",
            "items": _SECONDS,
            "minItems": 2,
            "maxItems": 2,
        },
        {
            "type": "object",
            "required": ["start", "end"],
            "properties": {
                "start": _SECONDS,
                "end": _SECONDS,
                "reason": {
                    **REDACTION_REASON.schema(nullable=True),
                    "description": "Why, shown to the requester",
                },
            },
        },
    ]
}
_NHS_REFERENCE = {
    "type": "object",
    "required": ["type", "value"],
    "properties": {"type": {"const": "nhs_number"}, "value": NHS_NUMBER.schema()},
}
_OTHER_REFERENCE = {
    "type": "object",
    "required": ["type", "value"],
    "properties": {"type": {"const": "other"}, "value": OTHER_REFERENCE.schema()},
}
_NEW_REQUEST = {
    "type": "object",
    "description": "A third party's authority and its evidence reference go together, and only "
    "on a third party's request (blank evidence counts as absent). Rules no schema can state, "
    "answered 422: date_from is not after date_to; received_on is not after today (London).",
    "required": ["requester_name", "relationship", "phone_numbers"],
    "properties": {
        "requester_name": NAME.schema(),
        "relationship": {"enum": [r.value for r in Relationship]},
        "data_subject_name": OPTIONAL_NAME.schema(nullable=True),
        "authority": {"enum": [*(a.value for a in Authority), None]},
        "authority_evidence": OPTIONAL_EVIDENCE.schema(nullable=True),
        "phone_numbers": {
            "type": "array",
            "items": PHONE.schema(),
            "minItems": 1,
            "maxItems": MAX_NUMBERS,
        },
        "date_from": DATE.schema(nullable=True),
        "date_to": DATE.schema(nullable=True),
        "person_references": {
            "type": ["array", "null"],
            "items": {"oneOf": [_NHS_REFERENCE, _OTHER_REFERENCE]},
            "maxItems": MAX_REFERENCES,
        },
        "received_on": {**DATE.schema(nullable=True), "description": "Default: today in London"},
        "identity_pending": {"type": ["boolean", "null"]},
        "language": {
            "enum": [*(code.value for code in Language), None],
            "description": "The language to answer the requester in; default en",
        },
    },
    "anyOf": [
        {
            "description": "No authority",
            "properties": {
                "authority": {"type": "null"},
                "authority_evidence": {"pattern": f"^[{SPACE}]*$"},
            },
        },
        {
            "description": "A third party with authority and evidence",
            "required": ["authority", "authority_evidence"],
            "properties": {
                "relationship": {"const": Relationship.THIRD_PARTY.value},
                "authority": {"type": "string"},
                "authority_evidence": EVIDENCE.schema(),
            },
        },
    ],
}
_REQUEST = {
    "type": "object",
    "description": (
        "A subject access request. `due_date` is null while identity is pending; `flag` is "
        "`overdue`, `due_soon` (within 7 days) or null. Registration holds every matching "
        "call, so every recording of it, including one that reaches us later. The detail view "
        "adds `recordings`: every recording of those calls, a late one included (until "
        "reviewed: `include` true, no redactions), each with `include`, `redactions`, "
        "`reason`, `hold_id` (the request's hold covering it, on its call) and `held` (that "
        "hold is in force); and `fulfilment_blocker` (why it cannot be fulfilled yet, or "
        "null). The list view adds `recording_count`."
    ),
    "properties": {
        "id": {"type": "integer"},
        "reference": {"type": "string"},
        "status": {"enum": ["open", "closed"]},
        "relationship": {"enum": [r.value for r in Relationship]},
        "authority": {"enum": [*(a.value for a in Authority), None]},
        "phone_numbers": {"type": "array", "items": {"type": "string"}},
        "received_on": _DATE,
        "due_date": {"type": ["string", "null"], "format": "date"},
        "flag": {"enum": ["overdue", "due_soon", None]},
        "package": {
            "type": "object",
            "properties": {
                "state": {"enum": [*(s.value for s in PackageState), None]},
                "job_id": {"type": ["string", "null"]},
                "recordings_done": {"type": "integer"},
                "recordings_total": {"type": "integer"},
                "error": {"type": ["string", "null"]},
            },
        },
    },
}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _body(schema: dict[str, Any], *, required: bool = True) -> dict[str, Any]:
    return {"required": required, "content": {"application/json": {"schema": schema}}}


OPENAPI_PATHS = {
    "/api/access-requests": {
        "post": {
            "summary": "Register a subject access request; holds its calls at once",
            "description": "Records officers. A third party's request can be registered "
            "without authority but not fulfilled until authority and evidence are recorded.",
            "requestBody": _body(_NEW_REQUEST),
            "responses": {
                "201": _json(_REQUEST, "The request, with the recordings of the calls held"),
                **error_responses(400, 401, 403, 413, 422),
            },
        },
        "get": {
            "summary": "Requests with due dates and flags, soonest due first",
            "parameters": [
                {"name": "status", "in": "query", "schema": {"enum": ["open", "closed"]}},
                {
                    "name": "limit",
                    "in": "query",
                    "schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT},
                },
            ],
            "responses": {
                "200": _json({"type": "array", "items": _REQUEST}, "Requests"),
                **error_responses(401, 403, 422),
            },
        },
    },
    "/api/access-requests/{request_id}": {
        "get": {
            "summary": "One request with its recordings, review and holds",
            "parameters": [_ID],
            "responses": {"200": _json(_REQUEST, "The request"), **error_responses(401, 403, 404)},
        }
    },
    "/api/access-requests/{request_id}/identity-verified": {
        "post": {
            "summary": "Identity verified: the clock starts (default today in London)",
            "parameters": [_ID],
            "requestBody": _body(
                {
                    "type": "object",
                    "description": "verified_on is not after today (London): a rule no schema "
                    "can state, answered 422.",
                    "properties": {"verified_on": DATE.schema(nullable=True)},
                },
                required=False,
            ),
            "responses": {
                "200": _json(_REQUEST, "The request with its due date"),
                **error_responses(400, 401, 403, 404, 409, 413, 422),
            },
        }
    },
    "/api/access-requests/{request_id}/extend": {
        "post": {
            "summary": "Extend once by 1 or 2 months, with a reason, before the due date",
            "parameters": [_ID],
            "requestBody": _body(
                {
                    "type": "object",
                    "required": ["months", "reason"],
                    "properties": {
                        "months": {"enum": list(EXTENSION_MONTHS)},
                        "reason": EXTENSION_REASON.schema(),
                    },
                }
            ),
            "responses": {
                "200": _json(_REQUEST, "The request with its new due date"),
                **error_responses(400, 401, 403, 404, 409, 413, 422),
            },
        }
    },
    "/api/access-requests/{request_id}/authority": {
        "post": {
            "summary": "Record a third party's authority and its evidence reference",
            "parameters": [_ID],
            "requestBody": _body(
                {
                    "type": "object",
                    "required": ["authority", "authority_evidence"],
                    "properties": {
                        "authority": {"enum": [a.value for a in Authority]},
                        "authority_evidence": EVIDENCE.schema(),
                    },
                }
            ),
            "responses": {
                "200": _json(_REQUEST, "The request"),
                **error_responses(400, 401, 403, 404, 409, 413, 422),
            },
        }
    },
    "/api/access-requests/{request_id}/recordings/{recording_sid}": {
        "patch": {
            "summary": "Include or exclude a recording; ranges to replace with silence",
            "description": "`reason` (optional) explains an exclusion, or every redaction "
            "without its own reason; the requester sees redaction reasons in the manifest. "
            "Ranges are seconds from the start; a range that does not end after it starts, or "
            "ends after the recording does, is answered 422 (rules no schema can state).",
            "parameters": [_ID, _SID],
            "requestBody": _body(
                {
                    "type": "object",
                    "required": ["include"],
                    "properties": {
                        "include": {"type": "boolean"},
                        "redactions": {
                            "type": ["array", "null"],
                            "items": _REDACTION,
                            "maxItems": MAX_REDACTIONS,
                        },
                        "reason": REVIEW_REASON.schema(nullable=True),
                    },
                }
            ),
            "responses": {
                "200": _json(_REQUEST, "The request"),
                **error_responses(400, 401, 403, 404, 409, 413, 422),
            },
        }
    },
    "/api/access-requests/{request_id}/fulfil": {
        "post": {
            "summary": "Package in a worker: decrypt, redact, MP3, ZIP, store encrypted",
            "parameters": [_ID],
            "responses": {
                "202": _json(
                    {
                        "type": "object",
                        "properties": {"state": {"type": "string"}, "job_id": {"type": "string"}},
                    },
                    "Queued; progress shows on the request",
                ),
                **error_responses(401, 403, 404, 409, 503),
            },
        }
    },
    "/api/access-requests/{request_id}/package": {
        "get": {
            "summary": "Issue a download link (GET /access/{token}, no login) and its expiry",
            "description": "Only a hash of the token is stored, so each call issues a fresh "
            "link and the previous one stops working.",
            "parameters": [_ID],
            "responses": {
                "200": _json(
                    {
                        "type": "object",
                        "properties": {
                            "url": {"type": "string"},
                            "expires_at": _MOMENT,
                            "package_id": {"type": "string"},
                            "recordings": {"type": "integer"},
                            "size_bytes": {"type": "integer"},
                            "downloads": {"type": "integer"},
                        },
                    },
                    "The link",
                ),
                **error_responses(401, 403, 404, 409),
            },
        },
        "delete": {
            "summary": "Revoke the download link",
            "parameters": [_ID],
            "responses": {
                "200": _json(
                    {
                        "type": "object",
                        "properties": {"package_id": {"type": "string"}, "revoked_at": _MOMENT},
                    },
                    "Revoked",
                ),
                **error_responses(401, 403, 404, 409),
            },
        },
    },
    "/api/access-requests/{request_id}/close": {
        "post": {
            "summary": "Close: release the holds and delete the package",
            "parameters": [_ID],
            "responses": {
                "200": _json(_REQUEST, "The closed request"),
                **error_responses(401, 403, 404, 409),
            },
        }
    },
}
