"""The console's navigation: each page group, and the roles that see it."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from app.models import Role, Staff


@dataclass(frozen=True)
class NavItem:
    """A link in the service navigation."""

    endpoint: str
    label: str
    roles: tuple[Role, ...]


NAVIGATION: tuple[NavItem, ...] = (
    NavItem("console.desk", "Desk", (Role.ADVISOR,)),
    NavItem("console.board", "Board", (Role.SUPERVISOR,)),
    NavItem("console.calls", "Calls", (Role.SUPERVISOR, Role.RECORDS_OFFICER)),
    NavItem("console.requests", "Access requests", (Role.RECORDS_OFFICER,)),
    NavItem("console.holds", "Holds", (Role.RECORDS_OFFICER,)),
    NavItem("console.retention", "Retention", (Role.RECORDS_OFFICER,)),
    NavItem("console.alerts", "Privacy alerts", (Role.RECORDS_OFFICER,)),
    NavItem("console.audit", "Audit log", (Role.RECORDS_OFFICER,)),
    NavItem("console.staff", "Staff", (Role.ADMIN,)),
)


def navigation_for(staff: Staff | None) -> list[NavItem]:
    """The pages this member of staff may open (those built so far)."""
    if staff is None:
        return []
    built = current_app.view_functions
    return [item for item in NAVIGATION if staff.role in item.roles and item.endpoint in built]
