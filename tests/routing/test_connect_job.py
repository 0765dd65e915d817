"""The connect job: redirects a claimed caller, releases the claim when Twilio refuses.

Caller 1 (in Twilio's queue, waiting longest) is matched with amy by caller 2's waitUrl poll,
so the request only claims them and queues the job; these tests run that job.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from redis.exceptions import ConnectionError as RedisConnectionError

from app.domain import routing
from app.extensions import db
from app.integrations.queue import get_queue, redis_connection
from app.models import Call, CallLeg, Staff
from tests.conftest import IN_HOURS, PUBLIC_BASE_URL
from tests.fixtures.servers import free_port
from tests.routing.support import (
    CALLER,
    add_staff,
    add_waiting_call,
    bearer,
    member_redirects,
    queue_left,
    wait_poll,
)
from tests.support.rows import count, one
from tests.support.sids import numbered_sid as sid
from tests.support.twiml import parse, verbs
from workers.routing import GRACE, connect_claimed_caller
from workers.worker import PreloadedWorker

AMY_FREE_SINCE = IN_HOURS - timedelta(minutes=7)


def state() -> tuple[str, str | None, int | None, str, int]:
    """Caller 1's routing state, QueueSid and advisor; amy's status; how many legs."""
    call = one(Call, Call.call_sid == CALLER)
    amy = one(Staff)
    return (
        call.routing_state,
        call.queue_sid,
        call.assigned_advisor_id,
        amy.status,
        count(CallLeg),
    )


def released() -> tuple[str, str | None, int | None, str, int]:
    return ("waiting", None, None, "available", 0)


@pytest.fixture
def callers(app, in_queue) -> None:  # noqa: ANN001
    """Callers 1 and 2 in Twilio's queue, 1 waiting longest; amy free for seven minutes."""
    add_waiting_call(1, waited=timedelta(minutes=9))
    add_waiting_call(2, waited=timedelta(minutes=2))
    in_queue(CALLER)
    in_queue(sid(2))
    add_staff("amy@x.gov.uk", since=AMY_FREE_SINCE)


@pytest.fixture
def matched(callers, twilio_post, runtime) -> int:  # noqa: ANN001
    """Caller 2's poll claimed caller 1 for amy and queued the job; returns the leg id."""
    assert verbs(parse(wait_poll(twilio_post, sid(2)))) == ["Say", "Pause"]
    assert state()[0] == "connecting"
    return one(CallLeg).id


def run_again(leg: int) -> str:
    """Run the job directly, as a retry or a duplicate would."""
    return connect_claimed_caller(leg, "available", AMY_FREE_SINCE.isoformat())


def test_job_moves_the_claimed_caller_out_of_the_queue(app_twilio, matched, run_jobs):
    run_jobs()
    (redirect,) = member_redirects(app_twilio)
    assert redirect.form["Url"] == f"{PUBLIC_BASE_URL}/twilio/connect?leg={matched}"
    assert state() == ("connecting", None, one(Staff).id, "busy", 1)


@pytest.mark.parametrize(
    "refusal",
    [{"status": 404, "code": 20404}, {"status": 500}, {"status": 503}],
    ids=["not-in-queue", "500", "503"],
)
def test_job_releases_the_claim_when_twilio_refuses(app_twilio, matched, run_jobs, refusal):
    app_twilio.fail_next("POST", r"/Members/", **refusal)
    run_jobs()
    assert len(member_redirects(app_twilio)) == 1
    assert state() == released()
    assert one(Staff).status_changed_at == AMY_FREE_SINCE  # amy keeps her turn


def test_job_releases_the_claim_when_twilio_cannot_be_reached(matched, runtime):
    runtime.settings = replace(
        runtime.settings, twilio_api_base_url=f"http://127.0.0.1:{free_port()}"
    )
    assert run_again(matched) == "released"
    assert state() == released()
    assert one(Staff).status_changed_at == AMY_FREE_SINCE


def test_released_caller_is_connected_by_their_next_poll(
    app_twilio, twilio_post, matched, run_jobs
):
    app_twilio.fail_next("POST", r"/Members/", status=500)
    run_jobs()
    assert verbs(parse(wait_poll(twilio_post))) == ["Leave"]
    root = parse(queue_left(twilio_post))
    assert verbs(root) == ["Redirect"]
    assert root.find("Redirect").text == f"{PUBLIC_BASE_URL}/twilio/connect?leg={one(CallLeg).id}"
    assert state()[0] == "connecting"


def test_the_procfile_worker_runs_the_job_in_a_forked_child(app_twilio, matched, runtime):
    queue = get_queue(runtime.settings)
    assert queue.job_ids == [f"connect-leg-{matched}"]
    PreloadedWorker([queue], connection=redis_connection(runtime.settings)).work(burst=True)
    assert len(member_redirects(app_twilio)) == 1
    assert state()[:2] == ("connecting", None)


def test_job_run_twice_moves_the_caller_once(app_twilio, matched, run_jobs):
    run_jobs()
    assert run_again(matched) == "nothing to do"
    assert len(member_redirects(app_twilio)) == 1
    assert state() == ("connecting", None, one(Staff).id, "busy", 1)


def hang_up(twilio_post) -> None:  # noqa: ANN001
    twilio_post("/twilio/call-status", CallSid=CALLER, CallStatus="completed", CallDuration="60")


def swept(twilio_post) -> None:  # noqa: ANN001
    with db.transaction() as session:
        assert routing.release_stale_claims(session, IN_HOURS + timedelta(hours=1), GRACE)


def moved_by_own_poll(twilio_post) -> None:  # noqa: ANN001
    assert verbs(parse(wait_poll(twilio_post))) == ["Leave"]


def answered(twilio_post) -> None:  # noqa: ANN001
    moved_by_own_poll(twilio_post)
    leg = one(CallLeg).id
    twilio_post(f"/twilio/connect?leg={leg}", CallSid=CALLER)
    twilio_post(f"/twilio/connect/answered?leg={leg}", CallSid=sid(50), ParentCallSid=CALLER)


@pytest.mark.parametrize("meanwhile", [hang_up, swept, moved_by_own_poll, answered])
def test_late_job_for_a_leg_no_longer_claimed_does_nothing(
    app_twilio, twilio_post, matched, run_jobs, meanwhile
):
    meanwhile(twilio_post)
    before = (state(), one(CallLeg, CallLeg.id == matched).result, one(Staff).status_changed_at)
    run_jobs()
    assert member_redirects(app_twilio) == []
    after = (state(), one(CallLeg, CallLeg.id == matched).result, one(Staff).status_changed_at)
    assert after == before


def test_lost_job_is_made_good_by_the_callers_own_poll(twilio_post, matched, runtime):
    get_queue(runtime.settings).empty()  # as if Redis lost the job
    root = parse(wait_poll(twilio_post))
    assert verbs(root) == ["Leave"]
    assert run_again(matched) == "nothing to do"


@pytest.mark.parametrize("died", ["before the job ran", "after it took the move"])
def test_lost_job_claim_is_released_by_the_stale_sweep(matched, runtime, died):
    get_queue(runtime.settings).empty()
    if died == "after it took the move":
        with db.transaction() as session:
            assert routing.take_queued_caller(session, matched) is not None
    older_than = timedelta(seconds=runtime.settings.ring_timeout_seconds) + GRACE
    with db.transaction() as session:
        assert routing.release_stale_claims(session, IN_HOURS + older_than, older_than) == []
        late = IN_HOURS + older_than + timedelta(seconds=1)
        assert routing.release_stale_claims(session, late, older_than) == [CALLER]
    call, amy = one(Call, Call.call_sid == CALLER), one(Staff)
    assert (call.routing_state, call.assigned_advisor_id, amy.status) == (
        "waiting",
        None,
        "available",
    )
    assert one(CallLeg).result == "stale"
    assert run_again(matched) == "nothing to do"


# --------------------------------------------------------------------------- Redis down


def test_poll_with_redis_down_releases_the_claim_and_the_caller_holds(
    app_twilio, twilio_post, callers, settings, redis_stopped, caplog
):
    with pytest.raises(RedisConnectionError):
        redis_connection(settings).ping()
    root = parse(wait_poll(twilio_post, sid(2)))
    assert verbs(root) == ["Say", "Pause"]
    assert f"released the claim of call {CALLER}" in caplog.text
    assert state() == released()
    assert one(Staff).status_changed_at == AMY_FREE_SINCE
    assert app_twilio.requests == []
    assert verbs(parse(wait_poll(twilio_post))) == ["Leave"]  # caller 1's own poll needs no job


def test_advisor_becoming_available_with_redis_down_stays_available(
    client, app_twilio, in_queue, redis_stopped, caplog
):
    add_waiting_call(1)
    in_queue(CALLER)
    amy = add_staff("amy@x.gov.uk", status="offline")
    reply = client.put("/api/me/status", json={"status": "available"}, headers=bearer(amy))
    assert reply.status_code == 200 and reply.json["status"] == "available"
    assert f"released the claim of call {CALLER}" in caplog.text
    assert state() == released()
    assert app_twilio.requests == []
