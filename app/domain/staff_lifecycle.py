"""A member of staff's life (SPEC §12, §14, §16): created, changed, deactivated for good, their
password and second factor reset. The console, the API and the CLI all come through here, so
the rules and the audit trail are the same whichever an admin uses."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from app.domain import audit, routing
from app.domain.endpoint_policy import EndpointPolicy, check_allowed
from app.domain.sessions import end_everything_of
from app.domain.sign_in import (
    WeakPassword,
    check_password_policy,
    reset_second_factor,
    temporary_password,
)
from app.domain.staff import check_password, hash_password, staff_by_email
from app.models import ConsoleSession, Role, Staff

LANGUAGES = ("en", "cy")
PROFILE_FIELDS = ("name", "email", "role", "skills", "languages", "endpoint", "records_calls")


class InvalidStaffField(ValueError):
    """A value a member of staff's profile cannot take; `field` names it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field, self.message = field, message


class EmailTaken(InvalidStaffField):
    """Another member of staff has this email (whatever its case)."""

    def __init__(self, email: str) -> None:
        super().__init__("email", f"{email} already belongs to a member of staff")


class AlreadyDeactivated(Exception):
    """A deactivated account stays so: deactivation is for good."""


def skills_of(value: Iterable[str], service_codes: Iterable[str]) -> list[str]:
    """Configured service codes, each once, in the order given; else InvalidStaffField."""
    skills = list(dict.fromkeys(value))
    unknown = sorted(set(skills) - set(service_codes))
    if unknown:
        raise InvalidStaffField("skills", f"unknown service codes: {', '.join(unknown)}")
    return skills


def languages_of(value: Iterable[str]) -> list[str]:
    """Language codes among en and cy, at least one; else InvalidStaffField."""
    languages = list(dict.fromkeys(value))
    unknown = sorted(set(languages) - set(LANGUAGES))
    if unknown:
        raise InvalidStaffField(
            "languages", f"Choose English, Welsh or both (unknown languages: {', '.join(unknown)})"
        )
    if not languages:
        raise InvalidStaffField("languages", "Choose English, Welsh or both")
    return languages


def endpoint_of(value: str | None, policy: EndpointPolicy) -> str | None:
    """`client:NAME`, an allowed `sip:user@host` or UK number (as E.164); None for none."""
    if value is None or not value.strip():
        return None
    try:
        endpoint = routing.parse_endpoint(value)
        check_allowed(endpoint, policy)
    except routing.InvalidEndpoint as exc:
        raise InvalidStaffField("endpoint", str(exc)) from exc
    return f"client:{endpoint.address}" if endpoint.kind == "client" else endpoint.address


def role_of(value: str) -> Role:
    """A role the product knows; else InvalidStaffField."""
    try:
        return Role(value)
    except ValueError as exc:
        raise InvalidStaffField("role", "Choose a role") from exc


def for_audit(changes: dict[str, Any]) -> dict[str, Any]:
    """Changes as they may appear in the audit log (phone numbers masked)."""
    shown = dict(changes)
    if "endpoint" in shown:
        shown["endpoint"] = routing.endpoint_for_logs(shown["endpoint"])
    return shown


def _record(session: Session, actor: str, action: str, staff: Staff, details: dict) -> None:
    audit.record(
        session,
        actor=actor,
        action=action,
        subject_type="staff",
        subject_id=str(staff.id),
        details=details,
    )


def create_staff(
    session: Session,
    *,
    email: str,
    role: Role | str,
    actor: str,
    password: str | None = None,
    **profile: Any,
) -> Staff:
    """A new member of staff (profile values already checked); audited as staff.create."""
    if staff_by_email(session, email) is not None:
        raise EmailTaken(email)
    staff = Staff(email=email, role=role_of(str(role)), name=email.split("@")[0], skills=[])
    for name, value in profile.items():
        setattr(staff, name, value)
    staff.password_hash = hash_password(check_password_policy(password)) if password else None
    session.add(staff)
    session.flush()
    _record(session, actor, "staff.create", staff, {"role": staff.role, **for_audit(profile)})
    return staff


def update_staff(session: Session, staff: Staff, changes: dict[str, Any], *, actor: str) -> dict:
    """Apply profile changes (already checked); audited as staff.update; returns what changed."""
    if "email" in changes and changes["email"].lower() != staff.email.lower():
        if staff_by_email(session, changes["email"]) is not None:
            raise EmailTaken(changes["email"])
    changed = {k: v for k, v in changes.items() if getattr(staff, k) != v}
    for name, value in changed.items():
        setattr(staff, name, value)
    if changed:
        _record(session, actor, "staff.update", staff, for_audit(changed))
    return changed


def deactivate(session: Session, staff: Staff, now: datetime, *, actor: str) -> None:
    """Deactivate for good: every console session and API token ends now; audited."""
    if staff.deactivated_at is not None:
        raise AlreadyDeactivated(staff.email)
    staff.active, staff.deactivated_at = False, now
    end_everything_of(session, staff, now)
    _record(session, actor, "staff.deactivate", staff, {"role": staff.role})


def reset_password(session: Session, staff: Staff, now: datetime, *, actor: str) -> str:
    """A new temporary password (returned once, never stored in clear); the member's sessions
    and tokens end, and any lockout is lifted; they choose their own at their next sign-in.
    Audited."""
    password = temporary_password()
    staff.password_hash = hash_password(password)
    staff.password_must_change = True
    staff.failed_sign_ins, staff.locked_until = 0, None
    end_everything_of(session, staff, now)
    _record(session, actor, "staff.reset_password", staff, {})
    return password


def change_own_password(
    session: Session,
    staff: Staff,
    current: str,
    new: str,
    *,
    confirm: str,
    now: datetime,
    keep: ConsoleSession,
) -> None:
    """A member of staff replaces their password (a temporary one, or their own). Audited.
    Every other console session of theirs ends and their API tokens are revoked: whoever knew
    the old password is signed out everywhere but in the browser `keep` they changed it from.

    InvalidStaffField names the field at fault: a wrong current password, a new one that
    breaks the policy or repeats the current one, or a confirmation that differs.
    """
    if not check_password(staff, current):
        raise InvalidStaffField("current", "Your current password is not right")
    try:
        check_password_policy(new)
    except WeakPassword as exc:
        raise InvalidStaffField("new", str(exc)) from None
    if new == current:
        raise InvalidStaffField("new", "Choose a password different from your current one")
    if confirm != new:
        raise InvalidStaffField("confirm", "The passwords do not match")
    staff.password_hash, staff.password_must_change = hash_password(new), False
    end_everything_of(session, staff, now, keep=keep)
    _record(session, staff.email, "staff.change_password", staff, {})


def chose_second_factor(session: Session, staff: Staff) -> None:
    """A member of staff whose role needs no code set up an authenticator app (its first code
    accepted by `sign_in.check_code`); from now on they give a code at sign-in. Audited."""
    _record(session, staff.email, "staff.set_up_second_factor", staff, {})


def reset_authenticator(session: Session, staff: Staff, now: datetime, *, actor: str) -> None:
    """Clear the TOTP second factor (they enrol again at next sign-in); sessions end. Audited."""
    reset_second_factor(staff)
    end_everything_of(session, staff, now)
    _record(session, actor, "staff.reset_second_factor", staff, {})
