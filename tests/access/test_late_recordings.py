"""A request holds the calls it matches (SPEC §7, §8): a recording of one of them that reaches
us only after registration is held, listed for review and packaged, and closing releases it."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.domain.holds import active_holds_for, held_among_many_clause, held_clause, place_hold
from app.domain.reports import retention_report
from app.extensions import db
from app.integrations.queue import get_queue
from app.models import Call, LegalHold, Recording, RecordingStatus
from app.runtime import Runtime
from tests.access.support import call_from, package_objects, register_request, store_recording
from tests.conftest import CALL_SID, IN_HOURS, pcm_wav
from tests.support.rows import one, rows
from workers.access import package_access_request
from workers.ingest import ingest_recording
from workers.retention import run_retention

NUMBER, E164, OTHER = "07700 900123", "+447700900123", "+447700900999"
URL = "/api/access-requests"
DAY = timedelta(days=1)
LONG_AGO = IN_HOURS - 200 * DAY  # a call whose recordings are past their six months
AFTER_RETENTION = IN_HOURS + 250 * DAY  # every recording made today is past its date


@pytest.fixture
def runtime(local_runtime: Runtime) -> Runtime:
    """The local store is enough here."""
    return local_runtime


def call_in_progress(twilio_post, call_sid: str = CALL_SID, number: str = NUMBER) -> None:  # noqa: ANN001
    """A call from `number` reaches the contact line now (its recording comes later)."""
    assert twilio_post("/twilio/voice", CallSid=call_sid, From=number).status_code == 200


def listed(client, officer, rid: int) -> dict[str, dict]:  # noqa: ANN001
    """The request's review list, by RecordingSid."""
    reply = client.get(f"{URL}/{rid}", headers=officer)
    return {entry["recording_sid"]: entry for entry in reply.json["recordings"]}


def announce_and_store(announce_recording, call_sid: str = CALL_SID) -> Recording:  # noqa: ANN001
    """Twilio's `completed` callback for a recording of `call_sid`, then its ingest."""
    sid = announce_recording(pcm_wav(2.0), call_sid=call_sid)
    assert ingest_recording(one(Recording, Recording.recording_sid == sid).id) == "stored"
    return one(Recording, Recording.recording_sid == sid)


def package(client, officer, runtime: Runtime, rid: int) -> dict:  # noqa: ANN001
    """Fulfil the request in this process and return the manifest of the package made."""
    reply = client.post(f"{URL}/{rid}/fulfil", headers=officer)
    assert reply.status_code == 202, reply.json
    get_queue(runtime.settings).empty()
    package_access_request(rid)
    link = client.get(f"{URL}/{rid}/package", headers=officer).json
    data = client.get("/access/" + link["url"].rsplit("/access/", 1)[1]).data
    return json.loads(zipfile.ZipFile(io.BytesIO(data)).read("manifest.json"))


def test_a_recording_announced_after_registration_is_held_listed_and_packaged(
    client, officer, runtime, twilio_post, announce_recording
):
    call_in_progress(twilio_post)
    request = register_request(client, officer, NUMBER)
    assert request["recordings"] == []
    late = announce_and_store(announce_recording)
    (entry,) = listed(client, officer, request["id"]).values()
    assert entry["recording_sid"] == late.recording_sid
    assert (entry["status"], entry["include"], entry["held"]) == ("stored", True, True)
    assert client.get(URL, headers=officer).json[0]["recording_count"] == 1

    assert run_retention(now=AFTER_RETENTION)["recordings_deleted"] == 0
    assert one(Recording).status == RecordingStatus.STORED
    assert runtime.storage.exists(late.storage_key)

    manifest = package(client, officer, runtime, request["id"])
    assert [e["recording_sid"] for e in manifest["recordings"]] == [late.recording_sid]


def test_an_unknown_twilio_recording_of_a_matched_call_is_ingested_not_deleted(
    client, officer, runtime, app_twilio
):
    call_sid = call_from(E164, LONG_AGO)
    rid = register_request(client, officer, NUMBER)["id"]
    sid = app_twilio.add_recording(call_sid=call_sid, date_created=LONG_AGO, audio=pcm_wav(2.0))
    result = run_retention(now=IN_HOURS)
    assert (result["twilio_unknown_deleted"], result["ingest_enqueued"]) == (0, 1)
    assert app_twilio.deleted_recordings == {}
    assert ingest_recording(one(Recording).id) == "stored"
    assert run_retention(now=IN_HOURS + DAY)["recordings_deleted"] == 0
    (entry,) = listed(client, officer, rid).values()
    assert (entry["recording_sid"], entry["status"], entry["held"]) == (sid, "stored", True)


def test_every_rule_of_retention_honours_the_call_hold(client, officer, runtime):
    call_sid = call_from(E164, LONG_AGO)
    rid = register_request(client, officer, NUMBER)["id"]
    store_recording(runtime, number=None, started_at=LONG_AGO, call_sid=call_sid)  # due already
    late = one(Recording)
    with db.transaction() as session:
        assert list(session.scalars(select(Recording.id).where(held_clause()))) == [late.id]
        assert list(session.scalars(select(Recording.id).where(held_among_many_clause()))) == [
            late.id
        ]
        assert [h.kind for h in active_holds_for(session, late)] == ["access_request"]
        report = retention_report(session, IN_HOURS)
    assert (report.stored, report.held, report.held_past_due) == (1, 1, 1)
    assert (report.due, report.overdue, report.oldest_due) == (0, 0, None)
    assert run_retention(now=IN_HOURS)["recordings_deleted"] == 0

    assert client.post(f"{URL}/{rid}/close", headers=officer).status_code == 200
    with db.transaction() as session:
        assert retention_report(session, IN_HOURS).overdue == 1
    assert run_retention(now=IN_HOURS + DAY)["recordings_deleted"] == 1
    assert one(Recording).status == RecordingStatus.DELETED


def test_closing_releases_exactly_the_requests_holds(
    client, officer, runtime, twilio_post, announce_recording
):
    call_in_progress(twilio_post)
    other_call = call_from(E164, IN_HOURS - 3 * DAY)
    rid = register_request(client, officer, NUMBER)["id"]
    late = announce_and_store(announce_recording)
    with db.transaction() as session:  # a complaint about the other call, placed meanwhile
        call_id = session.scalar(select(Call.id).where(Call.call_sid == other_call))
        place_hold(
            session, kind="complaint", reason="r", reference="CMP-1", call_id=call_id, actor="ro"
        )
    assert len(rows(LegalHold, LegalHold.released_at.is_(None))) == 3

    closed = client.post(f"{URL}/{rid}/close", headers=officer)
    assert closed.status_code == 200
    assert [entry["held"] for entry in closed.json["recordings"]] == [False]
    (kept,) = rows(LegalHold, LegalHold.released_at.is_(None))
    assert (kept.kind, kept.call_id) == ("complaint", call_id)
    assert run_retention(now=AFTER_RETENTION)["recordings_deleted"] == 1
    assert one(Recording, Recording.id == late.id).status == RecordingStatus.DELETED
    (entry,) = listed(client, officer, rid).values()  # still on the closed request's list
    assert (entry["recording_sid"], entry["status"]) == (late.recording_sid, "deleted")


def test_review_decisions_stay_when_a_later_recording_joins(
    client, officer, runtime, twilio_post, announce_recording
):
    first_call, second_call = "CA" + "1" * 32, "CA" + "2" * 32
    call_in_progress(twilio_post, first_call)
    first = announce_and_store(announce_recording, first_call)
    call_in_progress(twilio_post, second_call)
    rid = register_request(client, officer, NUMBER)["id"]
    exclude = {"include": False, "reason": "another person's call"}
    url = f"{URL}/{rid}/recordings/"
    assert client.patch(url + first.recording_sid, json=exclude, headers=officer).status_code == 200

    second = announce_and_store(announce_recording, second_call)
    entries = listed(client, officer, rid)
    assert (entries[first.recording_sid]["include"], entries[first.recording_sid]["reason"]) == (
        False,
        "another person's call",
    )
    assert (entries[second.recording_sid]["include"], entries[second.recording_sid]["reason"]) == (
        True,
        None,
    )
    review = {"include": True, "redactions": [[0.5, 1.0]]}
    reply = client.patch(url + second.recording_sid, json=review, headers=officer)
    assert reply.status_code == 200, reply.json

    (entry,) = package(client, officer, runtime, rid)["recordings"]
    assert entry["recording_sid"] == second.recording_sid
    assert [(r["start_seconds"], r["end_seconds"]) for r in entry["redactions"]] == [(0.5, 1.0)]


def test_a_recording_still_pending_blocks_fulfilment(
    client, officer, runtime, twilio_post, announce_recording
):
    call_in_progress(twilio_post)
    rid = register_request(client, officer, NUMBER)["id"]
    sid = announce_recording(pcm_wav(2.0))  # announced, not yet stored
    blocker = client.get(f"{URL}/{rid}", headers=officer).json["fulfilment_blocker"]
    assert blocker is not None and sid in blocker
    assert client.post(f"{URL}/{rid}/fulfil", headers=officer).status_code == 409
    ingest_recording(one(Recording).id)
    assert client.get(f"{URL}/{rid}", headers=officer).json["fulfilment_blocker"] is None


def test_a_recording_announced_while_the_package_waits_fails_it_by_name(
    client, officer, runtime, twilio_post, announce_recording
):
    call_in_progress(twilio_post)
    rid = register_request(client, officer, NUMBER)["id"]
    assert client.post(f"{URL}/{rid}/fulfil", headers=officer).status_code == 202
    sid = announce_recording(pcm_wav(2.0))
    get_queue(runtime.settings).empty()
    with pytest.raises(RuntimeError, match=sid):
        package_access_request(rid)
    state = client.get(f"{URL}/{rid}", headers=officer).json["package"]
    assert state["state"] == "failed" and sid in state["error"]
    assert package_objects(runtime.storage) == []

    ingest_recording(one(Recording).id)  # stored now: fulfilling again packages it
    manifest = package(client, officer, runtime, rid)
    assert [e["recording_sid"] for e in manifest["recordings"]] == [sid]


def test_a_recording_deleted_before_registration_is_not_listed(client, officer, runtime):
    call_sid, _ = store_recording(runtime, number=E164, started_at=LONG_AGO)
    assert run_retention(now=IN_HOURS - DAY)["recordings_deleted"] == 1
    request = register_request(client, officer, NUMBER)
    assert request["recordings"] == []
    (hold,) = rows(LegalHold)
    assert hold.call_id == one(Call, Call.call_sid == call_sid).id  # the call is held all the same
