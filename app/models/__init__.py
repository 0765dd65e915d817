"""Typed SQLAlchemy 2 models, one module per concern."""

from app.models.access_requests import (
    AccessPackage,
    AccessRequest,
    AccessRequestCall,
    AccessRequestRecording,
    Authority,
    PackageState,
    Relationship,
    RequestStatus,
)
from app.models.audit import AuditEntry, AuditHead
from app.models.base import Base, UtcDateTime, utcnow
from app.models.calls import Call, OptOutSource, Outcome
from app.models.holds import DeletedWhat, DeletionRecord, HoldKind, LegalHold
from app.models.recordings import PrivacyAlert, Recording, RecordingStatus
from app.models.routing import CallLeg, LegKind, RoutingState
from app.models.staff import AdvisorStatus, ApiToken, ConsoleSession, Role, Staff

__all__ = [
    "AccessPackage",
    "AccessRequest",
    "AccessRequestCall",
    "AccessRequestRecording",
    "Authority",
    "PackageState",
    "Relationship",
    "RequestStatus",
    "AdvisorStatus",
    "ApiToken",
    "AuditEntry",
    "AuditHead",
    "Base",
    "Call",
    "CallLeg",
    "DeletedWhat",
    "DeletionRecord",
    "HoldKind",
    "LegKind",
    "LegalHold",
    "OptOutSource",
    "Outcome",
    "PrivacyAlert",
    "Recording",
    "RecordingStatus",
    "Role",
    "RoutingState",
    "Staff",
    "ConsoleSession",
    "UtcDateTime",
    "utcnow",
]
