"""GET/POST /api/advisors and PATCH /api/advisors/{id}: advisors, skills, endpoint, recording."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import current_app, jsonify
from sqlalchemy import select

from app.api import bp
from app.api.formats import CONTROL, EMAIL, SPACE, free_text, international_pattern, matches
from app.api.me import STAFF_SCHEMA, staff_json
from app.api.openapi import SERVICE_CODE, error_responses, path_id
from app.api.validation import field, json_body, text
from app.db.session import request_session
from app.domain import staff_lifecycle as lifecycle
from app.domain.sign_in import WeakPassword
from app.models import Role, Staff
from app.web.auth import current_staff, require_roles
from app.web.errors import ApiError

EDITABLE = ("name", "skills", "endpoint", "records_calls", "active")
NAME = free_text(200)
MAX_ENDPOINT_LENGTH = 200  # the column's width
CLIENT_ENDPOINT = "^client:[A-Za-z0-9_.-]{1,121}$"
SIP_ENDPOINT = f"^sips?:[^@{CONTROL}{SPACE}]+@[^@{CONTROL}{SPACE}]+$"
NUMBER_ENDPOINT = international_pattern()  # and libphonenumber must find it valid


def check_skills(value: object) -> list[str]:
    """A list of configured service codes, or 422."""
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ApiError(422, "invalid", "'skills' must be a list of service codes.")
    return _checked(lifecycle.skills_of, value, [s.code for s in current_app.config["SERVICES"]])


def check_endpoint(value: object) -> str | None:
    """`client:NAME`, `sip:user@host` or a valid E.164 number, or 422."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise ApiError(422, "invalid", "'endpoint' must be a string.")
    patterns = (CLIENT_ENDPOINT, SIP_ENDPOINT, NUMBER_ENDPOINT)
    if len(value) > MAX_ENDPOINT_LENGTH or not any(matches(p, value) for p in patterns):
        raise ApiError(422, "invalid", f"'endpoint': {_ENDPOINT_DESCRIPTION}.")
    return _checked(lifecycle.endpoint_of, value)


def _checked(rule: Callable[..., Any], *args: Any) -> Any:
    """A domain rule's result, its refusal as a 422 (409 for a taken email)."""
    try:
        return rule(*args)
    except lifecycle.EmailTaken as exc:
        raise ApiError(409, "conflict", exc.message) from exc
    except (lifecycle.InvalidStaffField, WeakPassword) as exc:
        raise ApiError(422, "invalid", str(exc)) from exc


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
    active = changes.pop("active", True)
    session = request_session()
    staff = _checked(
        lambda: lifecycle.create_staff(
            session,
            email=email,
            role=Role.ADVISOR,
            actor=current_staff().email,
            password=password or None,
            **changes,
        )
    )
    if not active:
        now = current_app.config["CLOCK"]()
        lifecycle.deactivate(session, staff, now, actor=current_staff().email)
    session.commit()
    return jsonify(staff_json(staff)), 201


@bp.patch("/advisors/<int:advisor_id>")
@require_roles(Role.ADMIN)
def update_advisor(advisor_id: int):  # noqa: ANN201
    """Change an advisor's name, skills, endpoint, recording flag or active flag."""
    body = json_body()
    staff = _advisor(advisor_id)
    changes = _changes(body)
    session, now = request_session(), current_app.config["CLOCK"]()
    active = changes.pop("active", staff.active)
    if active and not staff.active:
        raise ApiError(409, "deactivated", "A deactivated account stays so; create a new one.")
    lifecycle.update_staff(session, staff, changes, actor=current_staff().email)
    if not active and staff.active:
        lifecycle.deactivate(session, staff, now, actor=current_staff().email)
    session.commit()
    return jsonify(staff_json(staff))


_ENDPOINT_DESCRIPTION = (
    "client:NAME (letters, digits, '_', '.', '-'), sip:user@host, or a number in "
    "international form (+44 1744 676700) libphonenumber finds valid (format "
    "valid-phone-number), stored as E.164"
)
_ADVISOR_FIELDS = {
    "name": NAME.schema(),
    "skills": {"type": "array", "items": SERVICE_CODE, "description": "Service codes"},
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
    "active": {
        "type": "boolean",
        "description": "false deactivates for good (sessions and tokens end); a deactivated "
        "advisor cannot be made active again (409)",
    },
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
                                    "description": "Optional (empty or null for none); at "
                                    "least 12 characters and not a common password",
                                    "anyOf": [
                                        {"type": "null"},
                                        {"type": "string", "maxLength": 0},
                                        {"type": "string", "minLength": 12, "maxLength": 200},
                                    ],
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
                **error_responses(400, 401, 403, 404, 409, 413, 422),
            },
        }
    },
}
