"""Signing in to the console in tests: members of staff with passwords and TOTP secrets."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pyotp
from flask.testing import FlaskClient

from app.domain.staff import hash_password
from app.extensions import db
from app.models import Role, Staff
from tests.conftest import IN_HOURS

PASSWORD = "seven ravens at dusk"  # noqa: S105
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # noqa: S105


def add_member(email: str, role: Role | str = Role.ADVISOR, *, enrolled: bool | None = None) -> int:
    """A member of staff with PASSWORD; with `enrolled`, TOTP SECRET set up an hour ago."""
    with db.transaction() as session:
        staff = Staff(
            email=email,
            name=email.split("@")[0].title(),
            role=Role(role),
            skills=[],
            password_hash=hash_password(PASSWORD),
        )
        if enrolled:
            staff.totp_secret, staff.totp_confirmed_at = SECRET, IN_HOURS - timedelta(hours=1)
        session.add(staff)
        session.flush()
        return staff.id


def csrf_token(client: FlaskClient, path: str = "/console/login") -> str:
    """The CSRF token of the form on `path`."""
    page = client.get(path, follow_redirects=True).get_data(as_text=True)
    match = re.search(r'name="csrf[_-]token" (?:value|content)="([^"]+)"', page)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def post_form(client: FlaskClient, path: str, **form: str):  # noqa: ANN201
    """POST a form with the CSRF token of the page (GET `path` first)."""
    return client.post(path, data={"csrf_token": csrf_token(client, path), **form})


def code_at(moment: datetime, secret: str = SECRET) -> str:
    """The TOTP code an authenticator app shows at `moment`."""
    return pyotp.TOTP(secret).at(moment)


def sign_in(
    client: FlaskClient, email: str, password: str = PASSWORD, *, at: datetime | None = None
):  # noqa: ANN201
    """Password, then (if asked) the code of SECRET at `at`; returns the last reply."""
    reply = post_form(client, "/console/login", email=email, password=password)
    if reply.status_code == 302 and reply.location.endswith("/console/two-factor"):
        reply = post_form(client, "/console/two-factor", code=code_at(at or IN_HOURS))
    return reply
