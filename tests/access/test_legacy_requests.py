"""Requests registered before requests held calls: they held the recordings they found.

Migration 0006 links each of them to the calls of those recordings, so a recording of such a
call that arrives later is listed too; closing still releases the holds they placed.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace

import psycopg
import pytest
from sqlalchemy import MetaData, Table, insert, select
from sqlalchemy.orm import Session

from app.db import make_engine, upgrade
from app.domain import access_requests as sar
from app.models import (
    AccessRequest,
    AccessRequestCall,
    AccessRequestRecording,
    Call,
    LegalHold,
    Recording,
    RecordingStatus,
    Relationship,
    RequestStatus,
)
from tests.fixtures.servers import PG_ADMIN_URL

BEFORE = datetime(2026, 11, 20, 9, tzinfo=UTC)
NOW = datetime(2026, 11, 23, 10, tzinfo=UTC)
OFFICER = "dpo@sthelens.gov.uk"
E164 = "+447700900123"


@pytest.fixture(params=["sqlite", "postgres"])
def database(request, tmp_path) -> Iterator[str]:  # noqa: ANN001
    """An empty database of its own: it is migrated step by step here."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'legacy.db'}"
        return
    name = f"cl_legacy_{os.getpid()}_{secrets.token_hex(3)}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    yield f"{PG_ADMIN_URL.rsplit('/', 1)[0]}/{name}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def recording(
    session: Session, call: Call | SimpleNamespace, status: str, at: datetime
) -> Recording:
    row = Recording(
        recording_sid="RE" + secrets.token_hex(16),
        call_id=call.id,
        call_sid=call.call_sid,
        status=status,
        started_at=at,
        ingest_attempts=0,
    )
    session.add(row)
    session.flush()
    return row


def _insert_as_at_0005(session: Session, table: str, **values: object) -> int:
    """A row written through the table as migration 0005 left it (today's models have more)."""
    reflected = Table(table, MetaData(), autoload_with=session.connection())
    return session.execute(insert(reflected).values(**values)).inserted_primary_key[0]


def legacy_request(session: Session) -> int:
    """What registration did before: one hold per recording found, one review row each."""
    call_sid = "CA" + secrets.token_hex(16)
    call_id = _insert_as_at_0005(
        session, "calls", call_sid=call_sid, from_number=E164, started_at=BEFORE,
        recording_opted_out=False,
    )  # fmt: skip
    found = recording(session, SimpleNamespace(id=call_id, call_sid=call_sid), "stored", BEFORE)
    request_id = _insert_as_at_0005(
        session,
        "access_requests",
        requester_name="Pat Example",
        requester_relationship=Relationship.DATA_SUBJECT.value,
        phone_numbers=[E164],
        person_references=[],
        received_on=date(2026, 11, 21),
        identity_pending=False,
        status=RequestStatus.OPEN.value,
        package_progress=0,
        package_total=0,
        created_by=OFFICER,
        created_at=BEFORE + timedelta(days=1),
    )
    reference = f"SAR-{request_id:06d}"
    hold_id = _insert_as_at_0005(  # as place_hold wrote it then (its audit entry aside)
        session,
        "legal_holds",
        kind="access_request",
        reason=f"Subject access request {reference}: recording requested",
        reference=reference,
        recording_id=found.id,
        created_by=OFFICER,
        created_at=BEFORE + timedelta(days=1),
    )
    session.add(
        AccessRequestRecording(
            access_request_id=request_id,
            recording_id=found.id,
            hold_id=hold_id,
            include=False,
            redactions=[],
            reason="another person's call",
        )
    )
    return request_id


def test_a_legacy_request_lists_late_recordings_and_closing_releases_its_holds(database):
    upgrade(database, "0005")
    engine = make_engine(database)
    with Session(engine) as session, session.begin():
        request_id = legacy_request(session)
    upgrade(database)

    with Session(engine) as session, session.begin():
        request = session.get(AccessRequest, request_id)
        (link,) = session.scalars(select(AccessRequestCall)).all()
        call = session.scalars(select(Call)).one()
        assert (link.access_request_id, link.call_id, link.hold_id) == (request_id, call.id, None)
        late = recording(session, call, RecordingStatus.PENDING, BEFORE + timedelta(minutes=5))
        listed = sar.listed_recordings(session, request)
        assert [(r.recording.id == late.id, r.include, r.reason) for r in listed] == [
            (False, False, "another person's call"),  # the officer's decision is kept
            (True, True, None),
        ]
        sar.close(session, request, actor=OFFICER, now=NOW)
    with Session(engine) as session:
        (hold,) = session.scalars(select(LegalHold)).all()
        assert (hold.released_at, hold.released_by) == (NOW, OFFICER)
    engine.dispose()


def test_the_migration_goes_down_and_up_again(database):
    upgrade(database)
    from alembic import command

    from app.db import alembic_config

    command.downgrade(alembic_config(database), "0005")
    upgrade(database)
