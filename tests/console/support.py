"""Signing a test client in to the console, and reading what a page offers."""

from __future__ import annotations

import re
from datetime import timedelta

from flask.testing import FlaskClient

from app.console.auth import COOKIE_KEY
from app.domain.sessions import SessionLimits, start_session
from app.extensions import db
from app.models import Staff
from tests.conftest import IN_HOURS

LIMITS = SessionLimits(idle=timedelta(days=3650), absolute=timedelta(days=3650))


def sign_in_as(client: FlaskClient, staff_id: int) -> None:
    """Give the client a live console session of this member of staff (sign-in tested elsewhere)."""
    with db.transaction() as session:
        token = start_session(
            session, session.get(Staff, staff_id), IN_HOURS, LIMITS, second_factor=True
        )
    with client.session_transaction() as cookie:
        cookie[COOKIE_KEY] = token


def csrf_token(client: FlaskClient, path: str) -> str:
    """The CSRF token a page's forms carry."""
    page = client.get(path).get_data(as_text=True)
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, f"no form with a CSRF token on {path}"
    return found.group(1)


def post_form(client: FlaskClient, page: str, action: str, fragment: bool = False, **form: str):  # noqa: ANN201
    """Submit a form of `page` to `action` with the page's CSRF token, as a browser would."""
    headers = {"X-Live-Fragment": "1"} if fragment else {}
    return client.post(
        action, data={"csrf_token": csrf_token(client, page), **form}, headers=headers
    )
