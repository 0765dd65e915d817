"""Tests of the fake Twilio REST API, driven through the real twilio.rest.Client."""

import os
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
from openapi_schema_validator import OAS30Validator
from twilio.base.exceptions import TwilioRestException
from twilio.rest import Client
from werkzeug.datastructures import MultiDict

from tests.fakes.twilio_api import FakeTwilio, load_spec

DAY1 = datetime(2026, 1, 1, 10, 0, tzinfo=UTC)
URL = "https://contact.example.gov.uk/twilio/connect"


def api(fake: FakeTwilio, path: str) -> str:
    """Absolute URL of an account-scoped path on the fake."""
    return f"{fake.base_url}/2010-04-01/Accounts/{fake.account_sid}{path}"


def auth(fake: FakeTwilio) -> tuple[str, str]:
    """The fake's basic-auth credentials."""
    return (fake.account_sid, fake.auth_token)


def rejected(fake: FakeTwilio, response: requests.Response, status: int, code: int) -> list[str]:
    """Assert a Twilio-style error and return (and clear) the violations it recorded."""
    assert response.status_code == status
    assert response.json()["code"] == code
    violations = fake.take_violations()
    assert violations
    return violations


def assert_spec_shape(operation_id: str, body: dict[str, Any]) -> None:
    """Assert a response body has exactly the spec's fields and validates against them."""
    schema = load_spec().response_schema(operation_id)
    assert set(body) == set(schema["properties"])
    OAS30Validator(schema).validate(body)


# --------------------------------------------------------------------------- recordings


def test_fetch_recording(fake_twilio: FakeTwilio, twilio_client: Client) -> None:
    sid = fake_twilio.add_recording(call_sid="CA" + "1" * 32, duration=42, channels=2)
    recording = twilio_client.recordings(sid).fetch()
    assert (recording.call_sid, recording.duration, recording.channels) == (
        "CA" + "1" * 32,
        "42",
        2,
    )


def test_delete_recording(fake_twilio: FakeTwilio, twilio_client: Client) -> None:
    sid = fake_twilio.add_recording()
    assert twilio_client.recordings(sid).delete() is True
    assert sid in fake_twilio.deleted_recordings and sid not in fake_twilio.recordings


@pytest.mark.parametrize("action", ["fetch", "delete"])
def test_unknown_recording_is_404(twilio_client: Client, action: str) -> None:
    with pytest.raises(TwilioRestException) as raised:
        getattr(twilio_client.recordings("RE" + "0" * 32), action)()
    assert (raised.value.status, raised.value.code) == (404, 20404)


@pytest.fixture
def three_days(fake_twilio: FakeTwilio) -> list[str]:
    """Recordings made at 10:00 on 1, 2 and 3 January 2026."""
    return [fake_twilio.add_recording(date_created=DAY1 + timedelta(days=n)) for n in range(3)]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({}, [2, 1, 0]),
        ({"date_created_before": DAY1 + timedelta(days=1, hours=-10)}, [1, 0]),
        ({"date_created_after": DAY1 + timedelta(days=1, hours=5)}, [2, 1]),
        ({"date_created": DAY1 + timedelta(days=1)}, [1]),
        ({"date_created_before": DAY1 - timedelta(days=1)}, []),
    ],
)
def test_list_recordings_filters_by_created_date(
    twilio_client: Client, three_days: list[str], filters: dict[str, datetime], expected: list[int]
) -> None:
    listed = twilio_client.recordings.list(**filters)
    assert [r.sid for r in listed] == [three_days[i] for i in expected]


def test_list_recordings_pages(fake_twilio: FakeTwilio, twilio_client: Client) -> None:
    sids = {fake_twilio.add_recording(date_created=DAY1 + timedelta(minutes=n)) for n in range(5)}
    assert {r.sid for r in twilio_client.recordings.list(page_size=2)} == sids
    assert len(fake_twilio.find_requests("GET", r"/Recordings\.json$")) == 3


def test_deleting_while_paging_skips_nothing(
    fake_twilio: FakeTwilio, twilio_client: Client
) -> None:
    for n in range(5):
        fake_twilio.add_recording(date_created=DAY1 + timedelta(minutes=n))
    for recording in twilio_client.recordings.stream(page_size=2):
        recording.delete()
    assert fake_twilio.recordings == {}


def test_list_recordings_by_call(fake_twilio: FakeTwilio, twilio_client: Client) -> None:
    call_sid = "CA" + "2" * 32
    sid = fake_twilio.add_recording(call_sid=call_sid)
    fake_twilio.add_recording()
    assert [r.sid for r in twilio_client.recordings.list(call_sid=call_sid)] == [sid]


# --------------------------------------------------------------------------- media


@pytest.fixture(params=["bytes", "file"])
def stored_audio(
    request: pytest.FixtureRequest, fake_twilio: FakeTwilio, tmp_path: Path
) -> tuple[str, bytes]:
    """A recording with 300 kB of random audio held in memory or in a file."""
    audio = os.urandom(300_000)
    if request.param == "bytes":
        return fake_twilio.add_recording(audio=audio), audio
    path = tmp_path / "audio.wav"
    path.write_bytes(audio)
    return fake_twilio.add_recording(audio_path=path), audio


@pytest.mark.parametrize(("ext", "content_type"), [(".wav", "audio/x-wav"), (".mp3", "audio/mpeg")])
def test_media_streams_the_exact_bytes(
    fake_twilio: FakeTwilio, stored_audio: tuple[str, bytes], ext: str, content_type: str
) -> None:
    sid, audio = stored_audio
    url = api(fake_twilio, f"/Recordings/{sid}{ext}")
    with requests.get(url, auth=auth(fake_twilio), stream=True, timeout=5) as response:
        assert response.headers["Content-Type"] == content_type
        assert response.headers["Content-Length"] == str(len(audio))
        assert b"".join(response.iter_content(8192)) == audio


def test_default_media_is_a_wav(fake_twilio: FakeTwilio) -> None:
    sid = fake_twilio.add_recording()
    response = requests.get(api(fake_twilio, f"/Recordings/{sid}.wav"), auth=auth(fake_twilio))
    assert response.content[:4] == b"RIFF"


def test_media_head_gives_size_only(fake_twilio: FakeTwilio) -> None:
    sid = fake_twilio.add_recording(audio=b"x" * 1000)
    response = requests.head(api(fake_twilio, f"/Recordings/{sid}.wav"), auth=auth(fake_twilio))
    assert (response.headers["Content-Length"], response.content) == ("1000", b"")


def test_media_of_unknown_recording_is_404(fake_twilio: FakeTwilio) -> None:
    url = api(fake_twilio, f"/Recordings/RE{'0' * 32}.wav")
    assert requests.get(url, auth=auth(fake_twilio), timeout=5).status_code == 404


@pytest.mark.parametrize("credentials", [None, ("AC" + "0" * 32, "wrong")])
def test_media_requires_basic_auth(
    fake_twilio: FakeTwilio, credentials: tuple[str, str] | None
) -> None:
    sid = fake_twilio.add_recording()
    url = api(fake_twilio, f"/Recordings/{sid}.wav")
    response = requests.get(url, auth=credentials, timeout=5)
    assert "basic auth" in rejected(fake_twilio, response, 401, 20003)[0]


@pytest.mark.parametrize("query", ["?Bogus=1", "?RequestedChannels=3"])
def test_media_rejects_unknown_query(fake_twilio: FakeTwilio, query: str) -> None:
    sid = fake_twilio.add_recording()
    url = api(fake_twilio, f"/Recordings/{sid}.wav{query}")
    rejected(fake_twilio, requests.get(url, auth=auth(fake_twilio), timeout=5), 400, 20001)


# --------------------------------------------------------------------------- calls


def test_update_call_redirects(fake_twilio: FakeTwilio, twilio_client: Client) -> None:
    sid = fake_twilio.add_call()
    twilio_client.calls(sid).update(url=URL, method="POST")
    assert [(r.url, r.method) for r in fake_twilio.calls[sid].redirects] == [(URL, "POST")]


def test_update_call_with_twiml(fake_twilio: FakeTwilio, twilio_client: Client) -> None:
    sid = fake_twilio.add_call()
    twilio_client.calls(sid).update(twiml="<Response><Hangup/></Response>")
    assert fake_twilio.calls[sid].redirects[0].twiml == "<Response><Hangup/></Response>"


def test_complete_call(fake_twilio: FakeTwilio, twilio_client: Client) -> None:
    sid = fake_twilio.add_call()
    assert twilio_client.calls(sid).update(status="completed").status == "completed"


def test_redirecting_an_ended_call_is_a_twilio_error(
    fake_twilio: FakeTwilio, twilio_client: Client
) -> None:
    sid = fake_twilio.add_call(status="completed")
    with pytest.raises(TwilioRestException) as raised:
        twilio_client.calls(sid).update(url=URL)
    assert raised.value.code == 21220


def test_fetch_call(twilio_client: Client) -> None:
    sid = "CA" + "3" * 32
    assert twilio_client.calls(sid).fetch().status == "in-progress"


# --------------------------------------------------------------------------- call recordings


def test_start_and_stop_current_call_recording(
    fake_twilio: FakeTwilio, twilio_client: Client
) -> None:
    call_sid = fake_twilio.add_call()
    started = twilio_client.calls(call_sid).recordings.create(recording_channels="dual")
    stopped = twilio_client.calls(call_sid).recordings("Twilio.CURRENT").update(status="stopped")
    assert (stopped.sid, stopped.status) == (started.sid, "stopped")


@pytest.mark.parametrize("status", ["paused", "in-progress", "stopped"])
def test_update_call_recording_by_sid(
    fake_twilio: FakeTwilio, twilio_client: Client, status: str
) -> None:
    call_sid = "CA" + "4" * 32
    sid = fake_twilio.add_recording(call_sid=call_sid, status="in-progress")
    twilio_client.calls(call_sid).recordings(sid).update(status=status)
    assert fake_twilio.recordings[sid].status == status


def test_no_current_recording_is_404(twilio_client: Client) -> None:
    with pytest.raises(TwilioRestException) as raised:
        twilio_client.calls("CA" + "5" * 32).recordings("Twilio.CURRENT").update(status="stopped")
    assert raised.value.status == 404


# --------------------------------------------------------------------------- queues


def test_create_list_and_fetch_queues(twilio_client: Client) -> None:
    created = twilio_client.queues.create(friendly_name="adult-social-care", max_size=50)
    assert created.sid.startswith("QU") and len(created.sid) == 34
    assert [q.sid for q in twilio_client.queues.list()] == [created.sid]
    assert twilio_client.queues(created.sid).fetch().max_size == 50


def test_fetch_queue_member(fake_twilio: FakeTwilio, twilio_client: Client) -> None:
    queue_sid = fake_twilio.add_queue("general")
    fake_twilio.add_queue_member(queue_sid, "CA" + "6" * 32)
    fake_twilio.add_queue_member(queue_sid, "CA" + "7" * 32)
    assert twilio_client.queues(queue_sid).members("CA" + "7" * 32).fetch().position == 2


def test_dequeue_member_redirects_the_call(fake_twilio: FakeTwilio, twilio_client: Client) -> None:
    queue_sid, call_sid = fake_twilio.add_queue("general"), fake_twilio.add_call()
    fake_twilio.add_queue_member(queue_sid, call_sid)
    twilio_client.queues(queue_sid).members(call_sid).update(url=URL, method="POST")
    assert fake_twilio.queues[queue_sid].members == []
    assert fake_twilio.calls[call_sid].redirects[0].via == "queue-member"


def test_dequeue_front(fake_twilio: FakeTwilio, twilio_client: Client) -> None:
    queue_sid, first = fake_twilio.add_queue("general"), fake_twilio.add_call()
    fake_twilio.add_queue_member(queue_sid, first)
    fake_twilio.add_queue_member(queue_sid, fake_twilio.add_call())
    assert twilio_client.queues(queue_sid).members("Front").update(url=URL).call_sid == first


def test_dequeue_caller_not_yet_in_queue_is_404(
    fake_twilio: FakeTwilio, twilio_client: Client
) -> None:
    queue_sid = fake_twilio.add_queue("general")
    with pytest.raises(TwilioRestException) as raised:
        twilio_client.queues(queue_sid).members("CA" + "8" * 32).update(url=URL)
    assert raised.value.status == 404


# --------------------------------------------------------------------------- response shapes


def test_responses_match_the_spec(fake_twilio: FakeTwilio, twilio_client: Client) -> None:
    call_sid, queue_sid = fake_twilio.add_call(), fake_twilio.add_queue("general")
    fake_twilio.add_queue_member(queue_sid, call_sid)
    recording = fake_twilio.add_recording(call_sid=call_sid, status="in-progress")
    bodies = {
        "FetchRecording": f"/Recordings/{recording}.json",
        "FetchCallRecording": f"/Calls/{call_sid}/Recordings/{recording}.json",
        "FetchCall": f"/Calls/{call_sid}.json",
        "FetchQueue": f"/Queues/{queue_sid}.json",
        "FetchMember": f"/Queues/{queue_sid}/Members/{call_sid}.json",
    }
    for operation_id, path in bodies.items():
        body = requests.get(api(fake_twilio, path), auth=auth(fake_twilio), timeout=5).json()
        assert_spec_shape(operation_id, body)


# --------------------------------------------------------------------------- spec violations


@pytest.mark.parametrize(
    ("method", "path", "data", "expected"),
    [
        ("POST", "/Calls/CA{c}.json", {"Url": URL, "Bogus": "1"}, "unknown form field 'Bogus'"),
        ("POST", "/Calls/CA{c}.json", {"Status": "exploded"}, "is not one of"),
        ("POST", "/Calls/CA{c}.json", {"Url": "/relative"}, "is not a 'uri'"),
        ("POST", "/Calls/CA{c}.json", {"TimeLimit": "soon"}, "is not integer"),
        ("POST", "/Calls/CA{c}/Recordings/Twilio.CURRENT.json", {}, "'Status' is missing"),
        ("POST", "/Queues.json", {"MaxSize": "10"}, "'FriendlyName' is missing"),
        ("PUT", "/Calls/CA{c}.json", {}, "method not allowed"),
        ("DELETE", "/Queues/QU{c}/Members/CA{c}.json", {}, "method not allowed"),
        ("GET", "/Calls/CA{c}/Explode.json", {}, "no such path"),
        ("GET", "/Calls/XX{c}.json", {}, "path parameter Sid"),
        ("GET", "/Recordings/RE{c}.json", {"Status": "x"}, "takes no form body"),
    ],
)
def test_invalid_requests_are_violations(
    fake_twilio: FakeTwilio, method: str, path: str, data: dict[str, str], expected: str
) -> None:
    url = api(fake_twilio, path.format(c="9" * 32))
    response = requests.request(method, url, data=data, auth=auth(fake_twilio), timeout=5)
    assert expected in " ".join(rejected(fake_twilio, response, 400, 20001))


@pytest.mark.parametrize(
    "query", ["Bogus=1", "PageSize=lots", "PageSize=5000", "DateCreated<=yesterday"]
)
def test_invalid_query_parameters_are_violations(fake_twilio: FakeTwilio, query: str) -> None:
    url = api(fake_twilio, f"/Recordings.json?{query}")
    rejected(fake_twilio, requests.get(url, auth=auth(fake_twilio), timeout=5), 400, 20001)


def test_json_body_is_a_violation(fake_twilio: FakeTwilio) -> None:
    url = api(fake_twilio, f"/Calls/CA{'9' * 32}.json")
    response = requests.post(url, json={"Url": URL}, auth=auth(fake_twilio), timeout=5)
    assert "x-www-form-urlencoded" in rejected(fake_twilio, response, 400, 20001)[0]


@pytest.mark.parametrize(
    "credentials",
    [
        lambda fake: None,
        lambda fake: ("AC" + "0" * 32, fake.auth_token),
        lambda fake: (fake.account_sid, "wrong"),
    ],
    ids=["none", "wrong-sid", "wrong-token"],
)
def test_bad_auth_is_a_violation(
    fake_twilio: FakeTwilio, credentials: Callable[[FakeTwilio], tuple[str, str] | None]
) -> None:
    url = api(fake_twilio, "/Queues.json")
    response = requests.get(url, auth=credentials(fake_twilio), timeout=5)
    rejected(fake_twilio, response, 401, 20003)


def test_other_accounts_path_is_a_violation(fake_twilio: FakeTwilio) -> None:
    url = f"{fake_twilio.base_url}/2010-04-01/Accounts/AC{'0' * 32}/Queues.json"
    response = requests.get(url, auth=auth(fake_twilio), timeout=5)
    assert "AccountSid" in rejected(fake_twilio, response, 401, 20003)[0]


# --------------------------------------------------------------------------- log and faults


def test_valid_call_the_fake_does_not_implement_is_flagged(
    fake_twilio: FakeTwilio, twilio_client: Client
) -> None:
    with pytest.raises(TwilioRestException) as raised:
        twilio_client.calls(fake_twilio.add_call()).delete()
    assert raised.value.status == 501
    assert "DeleteCall" in fake_twilio.take_violations()[0]


def test_concurrent_deletes(fake_twilio: FakeTwilio, twilio_client: Client) -> None:
    sids = [fake_twilio.add_recording() for _ in range(20)]
    with ThreadPoolExecutor(8) as pool:
        assert all(pool.map(lambda sid: twilio_client.recordings(sid).delete(), sids))
    assert set(fake_twilio.deleted_recordings) == set(sids)


def test_requests_are_logged(fake_twilio: FakeTwilio, twilio_client: Client) -> None:
    sid = fake_twilio.add_recording()
    twilio_client.recordings(sid).delete()
    [logged] = fake_twilio.find_requests("DELETE", sid)
    assert (logged.operation, logged.status, logged.form) == ("DeleteRecording", 204, {})


def test_form_is_logged(fake_twilio: FakeTwilio, twilio_client: Client) -> None:
    sid = fake_twilio.add_call()
    twilio_client.calls(sid).update(url=URL)
    assert fake_twilio.requests[-1].form == {"Url": URL}


def test_fail_next_fails_only_matching_requests(
    fake_twilio: FakeTwilio, twilio_client: Client
) -> None:
    sid = fake_twilio.add_recording()
    fake_twilio.fail_next("DELETE", sid, status=503, times=2)
    twilio_client.recordings(sid).fetch()
    for _ in range(2):
        with pytest.raises(TwilioRestException) as raised:
            twilio_client.recordings(sid).delete()
        assert (raised.value.status, raised.value.code) == (503, 20503)
    assert twilio_client.recordings(sid).delete() is True


def test_fail_next_on_media(fake_twilio: FakeTwilio) -> None:
    sid = fake_twilio.add_recording()
    fake_twilio.fail_next("GET", r"\.wav$", status=500)
    url = api(fake_twilio, f"/Recordings/{sid}.wav")
    statuses = [requests.get(url, auth=auth(fake_twilio), timeout=5).status_code for _ in "ab"]
    assert statuses == [500, 200]


def test_delay(fake_twilio: FakeTwilio, twilio_client: Client) -> None:
    fake_twilio.delay(r"/Queues\.json$", 0.2)
    started = time.monotonic()
    twilio_client.queues.list()
    assert time.monotonic() - started >= 0.2


def test_reset_forgets_everything(fake_twilio: FakeTwilio, twilio_client: Client) -> None:
    fake_twilio.add_recording()
    twilio_client.queues.list()
    fake_twilio.reset()
    assert (fake_twilio.recordings, fake_twilio.requests) == ({}, [])


# --------------------------------------------------------------------------- spec loading


def test_validation_is_fast(fake_twilio: FakeTwilio) -> None:
    path = f"/2010-04-01/Accounts/{fake_twilio.account_sid}/Calls/CA{'1' * 32}.json"
    form = MultiDict({"Url": URL, "Method": "POST"})
    started = time.perf_counter()
    for _ in range(100):
        assert load_spec().check("POST", path, MultiDict(), form).problems == []
    assert (time.perf_counter() - started) / 100 < 0.005


def test_missing_spec_fails_clearly(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="OpenAPI description is missing"):
        FakeTwilio(spec_path=tmp_path / "absent.json")
