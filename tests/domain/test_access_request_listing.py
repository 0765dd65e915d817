"""The records officer's list of access requests: pages in order, and "answered on time" by the
London day (SPEC §14), on both databases."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from app.domain import access_request_listing as listing
from app.extensions import db
from app.models import AccessRequest

NOW = datetime(2026, 11, 23, 10, tzinfo=UTC)
TODAY = NOW.date()


def add_request(received: date, **fields: object) -> int:
    with db.transaction() as session:
        item = AccessRequest(
            requester_name="Pat Example",
            requester_relationship="data_subject",
            received_on=received,
            created_by="dpo@sthelens.gov.uk",
            status=fields.pop("status", "open"),
            **fields,
        )
        session.add(item)
        session.flush()
        return item.id


def page_ids(sort: str, descending: bool, limit: int, offset: int) -> list[int]:
    with db.transaction() as session:
        items, _ = listing.listing(
            session,
            today=TODAY,
            show="all",
            sort=sort,
            descending=descending,
            limit=limit,
            offset=offset,
        )
        return [item.id for item in items]


@pytest.mark.parametrize("sort", listing.SORTS)
@pytest.mark.parametrize("descending", [False, True])
def test_pages_follow_each_other_in_the_lists_order(app, sort, descending):
    for n in range(7):
        due = TODAY + timedelta(days=(n * 5) % 7) if n % 3 else None
        add_request(TODAY - timedelta(days=n % 4), due_on=due, status=("open", "closed")[n % 2])
    online = add_request(TODAY, channel="online", identity_pending=True)
    whole = page_ids(sort, descending, 100, 0)
    pages = [page_ids(sort, descending, 3, offset) for offset in (0, 3, 6)]
    assert [i for page in pages for i in page] == whole
    assert whole[0] == online  # new online requests first, whatever the sort
    assert len(whole) == 8


@pytest.mark.parametrize(
    ("closed_at", "on_time"),
    [
        (datetime(2026, 6, 30, 22, 30, tzinfo=UTC), 1),  # 23:30 in London (BST): the due day
        (datetime(2026, 6, 30, 23, 30, tzinfo=UTC), 0),  # 00:30 on 1 July in London: late
    ],
)
def test_on_time_means_by_the_due_day_in_london(app, closed_at, on_time):
    add_request(date(2026, 6, 1), due_on=date(2026, 6, 30), status="closed", closed_at=closed_at)
    with db.transaction() as session:
        figure = listing.answered_on_time(session, NOW)
    assert (figure.closed, figure.on_time) == (1, on_time)


def test_only_this_years_closed_requests_count(app):
    add_request(date(2026, 3, 1), status="closed", closed_at=datetime(2026, 3, 9, tzinfo=UTC))
    add_request(date(2025, 3, 1), status="closed", closed_at=datetime(2025, 3, 9, tzinfo=UTC))
    add_request(date(2026, 3, 1), closed_at=None)
    with db.transaction() as session:
        figure = listing.answered_on_time(session, NOW)
    assert (figure.closed, figure.on_time, figure.percent) == (1, 1, 100)
