"""Arranging advisors and waiting callers for routing tests."""

from __future__ import annotations

from datetime import datetime, timedelta

from app.domain import staff as auth
from app.extensions import db
from app.models import Call, Role, RoutingState, Staff
from tests.conftest import IN_HOURS
from tests.support.sids import numbered_sid as sid
from tests.support.staff import TOKEN_LIFE

QUEUE_SID = "QU" + "c" * 32


CALLER = sid(1)


def add_staff(
    email: str,
    *,
    role: str = Role.ADVISOR,
    skills: tuple[str, ...] = ("adult_social_care",),
    endpoint: str | None = "client:amy",
    records_calls: bool = True,
    status: str = "available",
    since: datetime = IN_HOURS - timedelta(minutes=5),
) -> int:
    """A member of staff, straight into the database; returns the id."""
    with db.transaction() as session:
        staff = Staff(
            email=email,
            name=email.split("@")[0],
            role=role,
            skills=list(skills),
            endpoint=endpoint,
            records_calls=records_calls,
            status=status,
            status_changed_at=since,
        )
        session.add(staff)
        session.flush()
        return staff.id


def bearer(staff_id: int) -> dict[str, str]:
    """Authorization headers with a fresh token for this member of staff."""
    with db.transaction() as session:
        token, _ = auth.issue_token(session, session.get(Staff, staff_id), TOKEN_LIFE)
    return {"Authorization": f"Bearer {token}"}


def add_waiting_call(
    n: int,
    service: str = "adult_social_care",
    priority: int = 2,
    waited: timedelta = timedelta(minutes=1),
    queue_sid: str | None = QUEUE_SID,
    opted_out: bool = False,
) -> int:
    """A caller already in Twilio's queue (QueueSid known), waiting `waited`; returns the id."""
    enqueued = IN_HOURS - waited
    with db.transaction() as session:
        call = Call(
            call_sid=sid(n),
            from_number="+447700900123",
            started_at=enqueued - timedelta(seconds=30),
            recording_opted_out=opted_out,
            service_code=service,
            enqueued_at=enqueued,
            queue_sid=queue_sid,
            queue_priority=priority,
            queue_sort_at=enqueued,
            routing_state=RoutingState.WAITING,
        )
        session.add(call)
        session.flush()
        return call.id


def wait_poll(twilio_post, call_sid: str = CALLER, waited: int = 5):  # noqa: ANN001, ANN201
    """Twilio's waitUrl request for a caller in the (fake) queue."""
    return twilio_post(
        "/twilio/queue/wait",
        CallSid=call_sid,
        QueueSid=QUEUE_SID,
        QueuePosition="1",
        QueueTime=str(waited),
    )


def queue_left(twilio_post, call_sid: str = CALLER, waited: int = 5):  # noqa: ANN001, ANN201
    """Twilio's request to the `<Enqueue>` action after the caller's wait TwiML said `<Leave>`."""
    return twilio_post(
        "/twilio/queue/result",
        CallSid=call_sid,
        QueueSid=QUEUE_SID,
        QueueResult="leave",
        QueueTime=str(waited),
    )


def member_redirects(app_twilio):  # noqa: ANN001, ANN201
    """The Queue Members redirects the fake Twilio received."""
    return app_twilio.find_requests("POST", r"/Queues/QU\w+/Members/CA\w+\.json$")


def caller_on_call_with_amy(twilio_post, app_twilio) -> int:  # noqa: ANN001
    """Caller 1 routed through the webhooks to amy, who answered (leg recorded); amy's id."""
    from app.models import CallLeg
    from tests.support.rows import one

    caller = sid(1)
    app_twilio.add_queue("adult_social_care", sid=QUEUE_SID)
    app_twilio.add_queue_member(QUEUE_SID, caller)
    add_waiting_call(1)
    amy = add_staff("amy@x.gov.uk")
    twilio_post("/twilio/queue/wait", CallSid=caller, QueueSid=QUEUE_SID, QueueTime="5")
    leg = one(CallLeg).id
    twilio_post(f"/twilio/connect?leg={leg}", CallSid=caller)
    twilio_post(f"/twilio/connect/answered?leg={leg}", CallSid=sid(50), ParentCallSid=caller)
    return amy
