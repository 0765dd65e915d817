"""What every step of a subject access request shares: its errors, the open check, the audit."""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.domain import audit
from app.models import AccessRequest, PackageState, RequestStatus

__all__ = [
    "BUSY_STATES",
    "AccessRequestConflict",
    "AccessRequestError",
    "AccessRequestInvalid",
    "audit_step",
    "ensure_open",
]

BUSY_STATES = (PackageState.QUEUED, PackageState.RUNNING)


class AccessRequestError(Exception):
    """A step the request's state or rules do not allow."""


class AccessRequestConflict(AccessRequestError):
    """The request is not in a state where this step can happen (HTTP 409)."""


class AccessRequestInvalid(AccessRequestError):
    """The input does not describe a valid change (HTTP 422)."""


def ensure_open(request: AccessRequest) -> None:
    """AccessRequestConflict unless the request is open."""
    if request.status != RequestStatus.OPEN:
        raise AccessRequestConflict(f"request {request.reference} is closed")


def audit_step(
    session: Session,
    request: AccessRequest,
    actor: str,
    action: str,
    *,
    reason: str | None = None,
    **details: object,
) -> None:
    """Audit one step of the request; the details always name its reference."""
    audit.record(
        session,
        actor=actor,
        action=action,
        subject_type="access_request",
        subject_id=str(request.id),
        reason=reason,
        details={"reference": request.reference, **details},
    )
