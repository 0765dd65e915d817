"""Typed SQLAlchemy 2 models, one module per concern."""

from app.models.audit import AuditEntry, AuditHead
from app.models.base import Base, UtcDateTime, utcnow
from app.models.calls import Call, OptOutSource, Outcome
from app.models.staff import AdvisorStatus, ApiToken, Role, Staff

__all__ = [
    "AdvisorStatus",
    "ApiToken",
    "AuditEntry",
    "AuditHead",
    "Base",
    "Call",
    "OptOutSource",
    "Outcome",
    "Role",
    "Staff",
    "UtcDateTime",
    "utcnow",
]
