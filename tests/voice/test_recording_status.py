"""POST /twilio/recording-status: idempotent by RecordingSid, never moves a row backwards."""

from __future__ import annotations

import pytest

from app.integrations.queue import get_queue
from app.models import Call, Recording
from tests.conftest import ACCOUNT_SID, CALL_SID, PUBLIC_BASE_URL, RECORDING_START, sign
from tests.support.rows import count, one

SID = "RE" + "e" * 32


def form(status: str = "completed", **changes: str) -> dict[str, str]:
    return {
        "RecordingSid": SID,
        "RecordingStatus": status,
        "RecordingDuration": "42",
        "RecordingChannels": "2",
        "RecordingSource": "DialVerb",
        "RecordingStartTime": RECORDING_START,
        "CallSid": CALL_SID,
        "AccountSid": ACCOUNT_SID,
        **changes,
    }


@pytest.fixture
def queue(runtime):  # noqa: ANN001, ANN201
    return get_queue(runtime.settings)


def test_completed_records_the_recording_and_enqueues_its_ingest(twilio_post, queue):
    reply = twilio_post("/twilio/recording-status", **form())
    assert reply.status_code == 204
    row = one(Recording)
    assert (row.status, row.twilio_status, row.duration_seconds, row.channels, row.source) == (
        "pending",
        "completed",
        42,
        2,
        "DialVerb",
    )
    assert row.started_at.isoformat() == "2026-11-23T10:00:00+00:00"
    assert one(Call).call_sid == CALL_SID  # an unknown call is created
    assert queue.job_ids == [f"ingest-{SID}"]


def test_duplicates_and_late_callbacks_change_nothing(twilio_post, queue):
    twilio_post("/twilio/recording-status", **form("in-progress", RecordingDuration="-1"))
    assert one(Recording).twilio_status == "in-progress" and queue.count == 0
    for status in ("completed", "completed", "in-progress"):
        assert twilio_post("/twilio/recording-status", **form(status)).status_code == 204
    row = one(Recording)
    assert (count(Recording), row.status, row.twilio_status) == (1, "pending", "completed")
    assert queue.count == 1


@pytest.mark.parametrize("status", ["absent", "failed"])
def test_absent_or_failed_recordings_are_recorded_as_failed(twilio_post, queue, status):
    twilio_post("/twilio/recording-status", **form(status))
    assert one(Recording).status == "failed" and queue.count == 0
    twilio_post("/twilio/recording-status", **form("completed"))
    assert one(Recording).status == "failed" and queue.count == 0


@pytest.mark.parametrize(
    ("changes", "status"),
    [
        ({"RecordingSid": "RE123"}, 400),
        ({"RecordingSid": ""}, 400),
        ({"CallSid": "nope"}, 400),
        ({"AccountSid": "AC" + "9" * 32}, 403),
        ({"RecordingStatus": "exploded"}, 400),
    ],
)
def test_bad_callbacks_are_refused_and_write_nothing(twilio_post, runtime, changes, status):
    assert twilio_post("/twilio/recording-status", **form(**changes)).status_code == status
    assert count(Recording) == 0


def test_unsigned_callback_is_refused(client, runtime):
    reply = client.post(
        "/twilio/recording-status", data=form(), headers={"X-Twilio-Signature": "x"}
    )
    assert reply.status_code == 403 and count(Recording) == 0


def test_redis_down_still_records_and_answers_fast(make_app, runtime):
    app = make_app(redis_url="redis://127.0.0.1:1/0")
    signature = sign(PUBLIC_BASE_URL + "/twilio/recording-status", form())
    reply = app.test_client().post(
        "/twilio/recording-status", data=form(), headers={"X-Twilio-Signature": signature}
    )
    assert reply.status_code == 204
    assert one(Recording).status == "pending"  # the reconcile job enqueues it later
