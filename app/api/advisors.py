"""GET/POST /api/advisors and PATCH /api/advisors/{id}: advisors, skills, endpoint, recording."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import current_app, jsonify
from sqlalchemy import select

from app.api import bp
from app.api.formats import CONTROL, EMAIL, SPACE, free_text, international_pattern, matches
from app.api.me import staff_json
from app.api.validation import field, json_body, text
from app.db.session import request_session
from app.domain import staff_lifecycle as lifecycle
from app.domain.endpoint_policy import EndpointPolicy
from app.domain.sign_in import WeakPassword
from app.models import Role, Staff
from app.web.auth import current_staff, require_roles
from app.web.errors import ApiError

EDITABLE = ("name", "skills", "languages", "endpoint", "records_calls", "active")
NAME = free_text(200)
MAX_ENDPOINT_LENGTH = 200  # the column's width
CLIENT_ENDPOINT = "^client:[A-Za-z0-9_.-]{1,121}$"
SIP_ENDPOINT = f"^sips?:[^@{CONTROL}{SPACE}]+@[^@{CONTROL}{SPACE}]+$"
NUMBER_ENDPOINT = international_pattern()  # and libphonenumber must find it valid
ENDPOINT_DESCRIPTION = (
    "client:NAME (letters, digits, '_', '.', '-'), sip:user@host, or a number in "
    "international form (+44 1744 676700) libphonenumber finds valid (format "
    "valid-phone-number), stored as E.164. Also refused (422): a sip: host not in SIP_DOMAINS, "
    "and numbers that are not UK geographic or mobile"
)


def check_skills(value: object) -> list[str]:
    """A list of configured service codes, or 422."""
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ApiError(422, "invalid", "'skills' must be a list of service codes.")
    return _checked(lifecycle.skills_of, value, [s.code for s in current_app.config["SERVICES"]])


def check_languages(value: object) -> list[str]:
    """A list of language codes the line can speak (en, cy), or 422."""
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ApiError(422, "invalid", "'languages' must be a list of language codes.")
    return _checked(lifecycle.languages_of, value)


def check_endpoint(value: object) -> str | None:
    """`client:NAME`, `sip:user@host` or a valid E.164 number, or 422."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise ApiError(422, "invalid", "'endpoint' must be a string.")
    patterns = (CLIENT_ENDPOINT, SIP_ENDPOINT, NUMBER_ENDPOINT)
    if len(value) > MAX_ENDPOINT_LENGTH or not any(matches(p, value) for p in patterns):
        raise ApiError(422, "invalid", f"'endpoint': {ENDPOINT_DESCRIPTION}.")
    policy = EndpointPolicy.from_settings(current_app.config["SETTINGS"])
    return _checked(lifecycle.endpoint_of, value, policy)


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
    """Change an advisor's name, skills, languages, endpoint, recording flag or active flag."""
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
