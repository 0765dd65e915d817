"""Requests sent on the citizens' form: the same answers sent twice make one request."""

from __future__ import annotations

import threading
from datetime import date

from app.domain.access_requests import NewAccessRequest
from app.domain.online_requests import submit_online
from app.extensions import db
from app.models import AccessRequest, Relationship
from tests.conftest import IN_HOURS
from tests.support.rows import count

SUBMITTERS = 8


def answers() -> NewAccessRequest:
    return NewAccessRequest(
        requester_name="Pat Example",
        relationship=Relationship.DATA_SUBJECT,
        phone_numbers=["+441632960001"],
        received_on=date(2026, 11, 23),
        contact_email="pat@example.org",
    )


def test_identical_submissions_at_the_same_moment_make_one_request(app) -> None:
    start = threading.Barrier(SUBMITTERS)
    references, errors = [], []

    def submit() -> None:
        try:
            start.wait()
            with db.transaction() as session:
                item, _created = submit_online(session, answers(), now=IN_HOURS)
                references.append(item.reference)
        except Exception as exc:  # noqa: BLE001  (reported below)
            errors.append(exc)

    threads = [threading.Thread(target=submit) for _ in range(SUBMITTERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert count(AccessRequest) == 1
    assert references == [references[0]] * SUBMITTERS
