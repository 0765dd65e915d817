"""Console test clients signed in as a role, and the CSRF token a page carries."""

from __future__ import annotations

import re
import secrets
from datetime import timedelta

from flask.testing import FlaskClient

from app.console.auth import COOKIE_KEY
from app.domain.sessions import SessionLimits, start_session
from app.extensions import db
from app.models import Role, Staff
from tests.support.staff import TOKEN_LIFE

LIMITS = SessionLimits(idle=TOKEN_LIFE, absolute=TOKEN_LIFE + timedelta(days=1))


def sign_in(client: FlaskClient, role: Role | str, now, email: str | None = None) -> str:  # noqa: ANN001
    """Start a console session for a new member of staff with `role`; returns their email."""
    role = Role(role)
    email = email or f"{role.value}-{secrets.token_hex(4)}@sthelens.gov.uk"
    with db.transaction() as session:
        staff = Staff(email=email, name=email.split("@")[0], role=role, skills=[])
        session.add(staff)
        session.flush()
        token = start_session(session, staff, now, LIMITS, second_factor=True)
    with client.session_transaction() as cookie:
        cookie[COOKIE_KEY] = token
    return email


def csrf_token(client: FlaskClient, path: str) -> str:
    """The CSRF token the page at `path` carries."""
    page = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf-token" content="([^"]+)"', page)
    assert match, page[:500]
    return match.group(1)


def add_alert(raised_at, reason: str = "curious") -> int:  # noqa: ANN001
    """A privacy alert on a new recording, as the audio route raises one; returns its id."""
    from app.models import PrivacyAlert, Recording
    from tests.support.sids import new_sid

    with db.transaction() as session:
        recording = Recording(recording_sid=new_sid("RE"), call_sid=new_sid("CA"), status="stored")
        session.add(recording)
        session.flush()
        alert = PrivacyAlert(
            recording_id=recording.id,
            staff_email="sup@sthelens.gov.uk",
            reason=reason,
            rule="older_than_30_days",
            raised_at=raised_at,
        )
        session.add(alert)
        session.flush()
        return alert.id
