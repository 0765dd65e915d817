"""Routing callers to advisors (SPEC §5): the matching order, claims, legs, transfers, connecting.

The order lives in the database, not in Twilio's queue (`order`); a claim takes one caller and
one advisor in one transaction (`claims`); each leg's webhooks move the call and the advisor's
status together (`legs`); a transfer is a claim made during a call (`transfers`); `connect` is
the use case that matches and decides how the matched caller reaches the advisor. Where an
advisor answers is an `Endpoint` (`endpoints`). No Flask here: callers use
`from app.domain import routing` and the names below.
"""

from app.domain.routing.claims import (
    Claim,
    QueuedCaller,
    claim_next,
    release,
    release_stale_claims,
    take_queued_caller,
    take_write_lock,
)
from app.domain.routing.connect import (
    CONNECT_JOB,
    any_language_offer_due,
    endpoint_to_dial,
    enqueue_connect,
    is_current_leg,
    leg_after_leaving,
    match_and_connect,
    match_on_joining,
    take_move_on_poll,
)
from app.domain.routing.endpoints import (
    Endpoint,
    InvalidEndpoint,
    endpoint_for_logs,
    parse_endpoint,
)
from app.domain.routing.legs import (
    call_ended,
    caller_in_queue,
    caller_joined,
    leg_abandoned,
    leg_answered,
    leg_completed,
    leg_not_answered,
    open_leg,
    set_advisor_status,
    should_record,
)
from app.domain.routing.order import (
    IdleAdvisor,
    WaitingCaller,
    advisor_order,
    caller_order,
    can_take,
    choose_pair,
    front_of,
    idle_since,
    speaks_for,
)
from app.domain.routing.transfers import (
    Transfer,
    TransferRefused,
    transfer_to_advisor,
    transfer_to_service,
    undo_transfer,
)

__all__ = [
    "CONNECT_JOB",
    "Claim",
    "Endpoint",
    "IdleAdvisor",
    "InvalidEndpoint",
    "QueuedCaller",
    "Transfer",
    "TransferRefused",
    "WaitingCaller",
    "advisor_order",
    "any_language_offer_due",
    "call_ended",
    "caller_in_queue",
    "caller_joined",
    "caller_order",
    "can_take",
    "choose_pair",
    "claim_next",
    "endpoint_for_logs",
    "endpoint_to_dial",
    "enqueue_connect",
    "front_of",
    "idle_since",
    "is_current_leg",
    "leg_abandoned",
    "leg_after_leaving",
    "leg_answered",
    "leg_completed",
    "leg_not_answered",
    "match_and_connect",
    "match_on_joining",
    "open_leg",
    "parse_endpoint",
    "release",
    "release_stale_claims",
    "set_advisor_status",
    "should_record",
    "speaks_for",
    "take_move_on_poll",
    "take_queued_caller",
    "take_write_lock",
    "transfer_to_advisor",
    "transfer_to_service",
    "undo_transfer",
]
