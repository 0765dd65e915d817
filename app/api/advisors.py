"""GET/POST /api/advisors and PATCH /api/advisors/{id}: advisors, skills, endpoint, recording."""

from __future__ import annotations

from typing import Any

from flask import current_app, jsonify
from sqlalchemy import select

from app.api import bp
from app.api.formats import CONTROL, EMAIL, SPACE, free_text, international_pattern, matches
from app.api.me import STAFF_SCHEMA, staff_json
from app.api.openapi import SERVICE_CODE, error_responses, path_id
from app.api.validation import field, json_body, text
from app.db.session import request_session
from app.domain import audit, languages, routing
from app.domain import staff as auth
from app.models import Role, Staff
from app.web.auth import current_staff, require_roles
from app.web.errors import ApiError

EDITABLE = ("name", "skills", "languages", "endpoint", "records_calls", "active")
NAME = free_text(200)
MAX_ENDPOINT_LENGTH = 200  # the column's width
CLIENT_ENDPOINT = "^client:[A-Za-z0-9_.-]{1,121}$"
SIP_ENDPOINT = f"^sips?:[^@{CONTROL}{SPACE}]+@[^@{CONTROL}{SPACE}]+$"
NUMBER_ENDPOINT = international_pattern()  # and libphonenumber must find it valid


def check_skills(value: object) -> list[str]:
    """A list of configured service codes, or 422."""
    codes = {s.code for s in current_app.config["SERVICES"]}
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ApiError(422, "invalid", "'skills' must be a list of service codes.")
    unknown = sorted(set(value) - codes)
    if unknown:
        raise ApiError(422, "invalid", f"unknown service codes: {', '.join(unknown)}")
    return list(dict.fromkeys(value))


def check_languages(value: object) -> list[str]:
    """A list of language codes the line can speak (en, cy), or 422."""
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ApiError(422, "invalid", "'languages' must be a list of language codes.")
    try:
        return languages.check_languages(value)
    except languages.UnknownLanguage as exc:
        raise ApiError(422, "invalid", str(exc)) from exc


def check_endpoint(value: object) -> str | None:
    """`client:NAME`, `sip:user@host` or a valid E.164 number, or 422."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise ApiError(422, "invalid", "'endpoint' must be a string.")
    patterns = (CLIENT_ENDPOINT, SIP_ENDPOINT, NUMBER_ENDPOINT)
    if len(value) > MAX_ENDPOINT_LENGTH or not any(matches(p, value) for p in patterns):
        raise ApiError(422, "invalid", f"'endpoint': {_ENDPOINT_DESCRIPTION}.")
    try:
        endpoint = routing.parse_endpoint(value)
    except routing.InvalidEndpoint as exc:
        raise ApiError(422, "invalid", str(exc)) from exc
    return f"client:{endpoint.address}" if endpoint.kind == "client" else endpoint.address


def _advisor(advisor_id: int) -> Staff:
    staff = request_session().get(Staff, advisor_id)
    if staff is None or staff.role != Role.ADVISOR:
        raise ApiError(404, "not_found", f"No advisor {advisor_id}.")
    return staff


def _changes(body: dict[str, Any]) -> dict[str, Any]:
    unknown = sorted(set(body) - set(EDITABLE))
    if unknown:
        raise ApiError(422, "invalid", f"unknown fields: {', '.join(unknown)}")
    changes: dict[str, Any] = {}
    if "name" in body:
        changes["name"] = text(body, "name", NAME)
    if "skills" in body:
        changes["skills"] = check_skills(body["skills"])
    if "languages" in body:
        changes["languages"] = check_languages(body["languages"])
    if "endpoint" in body:
        changes["endpoint"] = check_endpoint(body["endpoint"])
    for flag in ("records_calls", "active"):
        if flag in body:
            changes[flag] = field(body, flag, bool)
    return changes


@bp.get("/advisors")
@require_roles(Role.ADMIN, Role.SUPERVISOR)
def list_advisors():  # noqa: ANN201
    """Every advisor account."""
    query = select(Staff).where(Staff.role == Role.ADVISOR).order_by(Staff.id)
    return jsonify([staff_json(s) for s in request_session().scalars(query)])


@bp.post("/advisors")
@require_roles(Role.ADMIN)
def create_advisor():  # noqa: ANN201
    """Create an advisor; the password is optional (tokens can be issued from the CLI)."""
    body = json_body()
    email = text(body, "email", EMAIL)
    password = field(body, "password", str, required=False)
    changes = _changes({k: v for k, v in body.items() if k not in ("email", "password")})
    session = request_session()
    if auth.staff_by_email(session, email) is not None:
        raise ApiError(409, "conflict", f"{email} already exists.")
    staff = Staff(email=email, role=Role.ADVISOR, name=email.split("@")[0], skills=[])
    for name, value in changes.items():
        setattr(staff, name, value)
    staff.password_hash = auth.hash_password(password) if password else None
    session.add(staff)
    session.flush()
    _audit("staff.create", staff, {"role": Role.ADVISOR.value, **_loggable(changes)})
    session.commit()
    return jsonify(staff_json(staff)), 201


@bp.patch("/advisors/<int:advisor_id>")
@require_roles(Role.ADMIN)
def update_advisor(advisor_id: int):  # noqa: ANN201
    """Change an advisor's name, skills, languages, endpoint, recording flag or active flag."""
    body = json_body()
    staff = _advisor(advisor_id)
    changes = _changes(body)
    changed = {k: v for k, v in changes.items() if getattr(staff, k) != v}
    for name, value in changed.items():
        setattr(staff, name, value)
    if changed:
        _audit("staff.update", staff, _loggable(changed))
    request_session().commit()
    return jsonify(staff_json(staff))


def _loggable(changes: dict[str, Any]) -> dict[str, Any]:
    """Changes as they may appear in the audit log (phone numbers masked)."""
    shown = dict(changes)
    if "endpoint" in shown:
        shown["endpoint"] = routing.endpoint_for_logs(shown["endpoint"])
    return shown


def _audit(action: str, staff: Staff, details: dict[str, Any]) -> None:
    audit.record(
        request_session(),
        actor=current_staff().email,
        action=action,
        subject_type="staff",
        subject_id=str(staff.id),
        details=details,
    )


_ENDPOINT_DESCRIPTION = (
    "client:NAME (letters, digits, '_', '.', '-'), sip:user@host, or a number in "
    "international form (+44 1744 676700) libphonenumber finds valid (format "
    "valid-phone-number), stored as E.164"
)
_ADVISOR_FIELDS = {
    "name": NAME.schema(),
    "skills": {"type": "array", "items": SERVICE_CODE, "description": "Service codes"},
    "languages": {
        "type": "array",
        "items": {"type": "string", "enum": list(languages.KNOWN_LANGUAGES)},
        "minItems": 1,
        "description": 'Languages the advisor takes calls in (default ["en"])',
    },
    "endpoint": {
        "description": f"{_ENDPOINT_DESCRIPTION}; null for none",
        "anyOf": [
            {"type": "null"},
            {"type": "string", "pattern": CLIENT_ENDPOINT},
            {"type": "string", "pattern": SIP_ENDPOINT, "maxLength": MAX_ENDPOINT_LENGTH},
            {"type": "string", "pattern": NUMBER_ENDPOINT, "format": "valid-phone-number"},
        ],
    },
    "records_calls": {"type": "boolean"},
    "active": {"type": "boolean"},
}
_STAFF = {"application/json": {"schema": STAFF_SCHEMA}}
_ADVISOR_ID = path_id("advisor_id")
OPENAPI_PATHS = {
    "/api/advisors": {
        "get": {
            "summary": "List advisors (admin, supervisor)",
            "responses": {
                "200": {
                    "description": "Advisors",
                    "content": {
                        "application/json": {"schema": {"type": "array", "items": STAFF_SCHEMA}}
                    },
                },
                **error_responses(401, 403),
            },
        },
        "post": {
            "summary": "Create an advisor (admin)",
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "required": ["email"],
                            "properties": {
                                "email": EMAIL.schema(),
                                "password": {
                                    "type": ["string", "null"],
                                    "description": "Optional; empty or null for none",
                                },
                                **_ADVISOR_FIELDS,
                            },
                            "additionalProperties": False,
                        }
                    }
                },
            },
            "responses": {
                "201": {"description": "Created", "content": _STAFF},
                **error_responses(400, 401, 403, 409, 413, 422),
            },
        },
    },
    "/api/advisors/{advisor_id}": {
        "patch": {
            "summary": "Change an advisor (admin)",
            "parameters": [_ADVISOR_ID],
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "properties": _ADVISOR_FIELDS,
                            "additionalProperties": False,
                        }
                    }
                },
            },
            "responses": {
                "200": {"description": "Advisor", "content": _STAFF},
                **error_responses(400, 401, 403, 404, 413, 422),
            },
        }
    },
}
