"""Members of staff with bearer tokens, made straight in the database."""

from __future__ import annotations

import secrets
from datetime import timedelta

from app.domain import staff as staff_accounts
from app.extensions import db
from app.models import Role, Staff

# Tests move the app's clock years ahead (due dates, retention): their tokens outlive that.
TOKEN_LIFE = timedelta(days=3650)


def staff_headers(role: Role | str, email: str | None = None) -> dict[str, str]:
    """Authorization headers of a new member of staff with `role` (a fresh email by default)."""
    role = Role(role)
    email = email or f"{role.value}-{secrets.token_hex(4)}@sthelens.gov.uk"
    with db.transaction() as session:
        staff = Staff(email=email, name=email.split("@")[0], role=role, skills=[])
        session.add(staff)
        session.flush()
        token, _ = staff_accounts.issue_token(session, staff, TOKEN_LIFE)
    return {"Authorization": f"Bearer {token}"}
