"""Filling the access-request form with a test client, as a browser would post it."""

from __future__ import annotations

import re

from flask.testing import FlaskClient

ANSWERS: dict[str, dict[str, str]] = {
    "name": {"name": "Pat Example"},
    "who": {"who": "myself"},
    "phone-numbers": {"phone-1": "01632 960001"},
    "when": {},
    "reply": {"reply": "email", "email": "pat@example.org"},
    "language": {"language": "en"},
    "note": {"note": ""},
}


def csrf_token(client: FlaskClient, path: str) -> str:
    """The CSRF token the page at `path` carries."""
    page = client.get(path).get_data(as_text=True)
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, page[:500]
    return found.group(1)


def post(client: FlaskClient, path: str, **fields: str):  # noqa: ANN201
    """POST the form at `path` with its CSRF token."""
    return client.post(path, data={**fields, "csrf_token": csrf_token(client, path)})


def fill(client: FlaskClient, prefix: str = "", **changes: dict[str, str]) -> None:
    """Answer every question (ANSWERS, with `changes` by step), ready for check answers."""
    for step, fields in {**ANSWERS, **changes}.items():
        reply = post(client, f"{prefix}/access-request/{step}", **fields)
        assert reply.status_code == 302, (step, reply.get_data(as_text=True)[:2000])


def send(client: FlaskClient, prefix: str = "", **fields: str):  # noqa: ANN201
    """Send the request from the check-answers page."""
    return post(client, f"{prefix}/access-request/check", **fields)
