"""The advisor's desk (SPEC §4.6-4.7, §5, §14): their status and their current call.

The use cases the staff API and the console share, so that their rules live once: setting
one's own availability (and matching when available), stopping the recording when the caller
asks, transferring, ending a wrap-up. Each commits what it has done before it calls Twilio, as
the API always has, and raises a domain error the edges translate (JSON or a page).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

import requests
from sqlalchemy import select
from sqlalchemy.orm import Session, load_only
from twilio.base.exceptions import TwilioException, TwilioRestException

from app.domain import audit, calls, routing
from app.domain.phone import mask
from app.integrations import twilio as twilio_rest
from app.models import AdvisorStatus, Call, OptOutSource, Role, RoutingState, Staff
from config.services import Service
from config.settings import Settings

log = logging.getLogger(__name__)
SETTABLE_STATUSES = (AdvisorStatus.AVAILABLE, AdvisorStatus.OFFLINE)
LIVE = (RoutingState.CONNECTING, RoutingState.CONNECTED)
LANGUAGE_NAMES = {"en": "English", "cy": "Welsh (Cymraeg)"}
NOT_STOPPED = (
    "The opt-out is recorded (the recording will be discarded), but the live recording "
    "could not be stopped: try again."
)


class DeskError(Exception):
    """A desk action refused; `code` names why for the API, the message says it to a person."""

    code = "conflict"


class StatusNotSettable(DeskError):
    """Only available and offline can be chosen; busy and wrap-up follow the calls."""

    code = "invalid"


class OnACall(DeskError):
    """The advisor is on a call: their status changes when it ends."""

    code = "on_a_call"


class NotOnThisCall(DeskError):
    """Only the advisor on the call (or, for an opt-out, a supervisor) may act on it."""

    code = "forbidden"


class NoSuchAdvisor(DeskError):
    """The transfer names nobody who takes calls."""

    code = "not_found"


class UnknownService(DeskError):
    """The transfer names a service the line does not have."""

    code = "invalid"


class CallEnded(DeskError):
    """The call has ended: what is recorded of it is settled, so an opt-out is refused."""


class TwilioRefused(DeskError):
    """Twilio refused or could not be reached; `code` says which."""

    code = "twilio_error"

    def __init__(self, message: str, code: str = "twilio_error") -> None:
        super().__init__(message)
        self.code = code


def language_name(code: str | None) -> str:
    """The caller's language as staff read it; a line with one language has none stored."""
    return LANGUAGE_NAMES.get(code or "en", code or "English")


# --------------------------------------------------------------------------- status


class HasStatus(Protocol):
    """An advisor's status as stored: a Staff row, or just those columns of it."""

    status: str
    status_changed_at: datetime


def effective_status(staff: HasStatus, now: datetime, wrap_up_seconds: int) -> tuple[str, datetime]:
    """The status routing acts on and since when: a wrap-up whose time is over is available."""
    if staff.status == AdvisorStatus.WRAP_UP:
        ends = staff.status_changed_at + timedelta(seconds=wrap_up_seconds)
        if ends <= now:
            return AdvisorStatus.AVAILABLE, ends
    return staff.status, staff.status_changed_at


def wrap_up_ends(staff: Staff, now: datetime, wrap_up_seconds: int) -> datetime | None:
    """When this advisor's wrap-up ends, while it lasts."""
    if effective_status(staff, now, wrap_up_seconds)[0] != AdvisorStatus.WRAP_UP:
        return None
    return staff.status_changed_at + timedelta(seconds=wrap_up_seconds)


def set_status(
    session: Session, settings: Settings, staff: Staff, status: str, now: datetime
) -> None:
    """An advisor says they are available (then matched at once) or offline; commits."""
    if status not in SETTABLE_STATUSES:
        raise StatusNotSettable("status must be 'available' or 'offline'.")
    if staff.status == AdvisorStatus.BUSY:
        raise OnACall("You are on a call; your status changes when it ends.")
    if staff.status != status:
        staff.status, staff.status_changed_at = status, now
    session.commit()
    if status == AdvisorStatus.AVAILABLE:
        _match(session, settings, now, staff.id)
        session.refresh(staff)


def _match(session: Session, settings: Settings, now: datetime, advisor_id: int) -> None:
    routing.match_and_connect(session, settings, now, advisor_id=advisor_id)


def end_wrap_up(
    session: Session, settings: Settings, advisor_id: int, now: datetime, *, actor: str
) -> bool:
    """End an advisor's wrap-up now (they become available and may be matched); audited."""
    ended = routing.set_advisor_status(
        session, advisor_id, AdvisorStatus.AVAILABLE, now, only_from={AdvisorStatus.WRAP_UP}
    )
    if not ended:
        session.rollback()
        return False
    audit.record(
        session,
        actor=actor,
        action="advisor.wrap_up_ended",
        subject_type="staff",
        subject_id=str(advisor_id),
    )
    session.commit()
    _match(session, settings, now, advisor_id)
    return True


# --------------------------------------------------------------------------- the current call


@dataclass(frozen=True)
class CallCard:
    """What the advisor sees of the call they are on (or being connected to)."""

    call_sid: str
    service_name: str
    caller: str  # masked
    waited_seconds: int | None
    language: str
    recorded: bool
    opted_out: bool
    answered: bool


def current_call(session: Session, advisor_id: int) -> Call | None:
    """The call routed to this advisor that is ringing or connected, if any."""
    return session.scalar(
        select(Call)
        .where(Call.assigned_advisor_id == advisor_id, Call.routing_state.in_(LIVE))
        .order_by(Call.id.desc())
        .limit(1)
    )


def call_card(session: Session, call: Call, services: Sequence[Service]) -> CallCard:
    """The card of a call: service, masked number, wait, language, recorded or not."""
    leg = routing.open_leg(session, call)
    names = {s.code: s.name for s in services}
    waited = call.queue_wait_seconds
    if waited is None and call.enqueued_at is not None and leg is not None:
        waited = max(0, int((leg.started_at - call.enqueued_at).total_seconds()))
    return CallCard(
        call_sid=call.call_sid,
        service_name=names.get(call.service_code or "", call.service_code or "none chosen"),
        caller=mask(call.from_number),
        waited_seconds=waited,
        language=language_name(call.language),
        recorded=bool(leg and leg.recorded) and not call.recording_opted_out,
        opted_out=call.recording_opted_out,
        answered=bool(leg and leg.answered_at),
    )


def on_this_call(call: Call, staff: Staff) -> bool:
    """True when `staff` is the advisor the call is routed to now."""
    return call.assigned_advisor_id == staff.id and call.routing_state in LIVE


# --------------------------------------------------------------------------- opt-out


def opt_out(session: Session, settings: Settings, call: Call, staff: Staff, now: datetime) -> str:
    """The caller does not want to be recorded: note it (committed), then stop the recording.

    Returns `stopped`, or `none` when nothing was recording; TwilioRefused when the live
    recording could not be stopped (the opt-out stands: the recording will be discarded).
    """
    if staff.role != Role.SUPERVISOR and not on_this_call(call, staff):
        raise NotOnThisCall("Only the advisor on this call (or a supervisor).")
    try:
        calls.opt_out(session, call, OptOutSource.ADVISOR, now, actor=staff.email)
    except calls.CallNotLive as exc:
        raise CallEnded("The call has ended: an opt-out is only for a live call.") from exc
    session.commit()
    return stop_live_recording(settings, call.call_sid)


def stop_live_recording(settings: Settings, call_sid: str) -> str:
    """Stop the call's live recording through Twilio's Call Recordings API (SPEC §4.6)."""
    try:
        twilio_rest.stop_live_recording(twilio_rest.make_twilio_client(settings), call_sid)
    except TwilioRestException as exc:
        if exc.status == 404:
            return "none"
        log.warning("Twilio refused to stop the recording of %s: %s", call_sid, exc.status)
        raise TwilioRefused(NOT_STOPPED) from exc
    except (TwilioException, requests.RequestException) as exc:
        log.warning("could not reach Twilio to stop the recording of %s: %s", call_sid, exc)
        raise TwilioRefused(NOT_STOPPED, "twilio_unreachable") from exc
    return "stopped"


# --------------------------------------------------------------------------- transfers


def transfer_to_advisor(
    session: Session, settings: Settings, call: Call, staff: Staff, target_id: int, now: datetime
) -> None:
    """Move the caller from `staff` to another available advisor; nothing changes on failure."""
    if not on_this_call(call, staff):
        raise NotOnThisCall("Only the advisor on this call can transfer it.")
    target = session.get(Staff, target_id)
    if target is None or target.role != Role.ADVISOR:
        raise NoSuchAdvisor(f"No advisor {target_id}.")
    if target_id == staff.id:
        raise DeskError("You are the advisor on this call already.")
    try:
        moved = routing.transfer_to_advisor(session, call, target_id, now, settings.wrap_up_seconds)
    except routing.TransferRefused as exc:
        session.rollback()
        raise DeskError(str(exc)) from exc
    session.commit()
    if not twilio_rest.redirect_call(settings, moved.claim, via_queue=False):
        routing.undo_transfer(session, call, moved)
        session.commit()
        raise TwilioRefused("Twilio did not accept the transfer; nothing changed.")
    log.info("call %s transferred from advisor %s to %s", call.call_sid, staff.id, target_id)


def transfer_to_service(
    session: Session,
    settings: Settings,
    services: Sequence[Service],
    call: Call,
    staff: Staff,
    code: str,
    now: datetime,
) -> Service:
    """Put the caller into another service's queue, keeping their waiting time."""
    if not on_this_call(call, staff):
        raise NotOnThisCall("Only the advisor on this call can transfer it.")
    service = next((s for s in services if s.code == code), None)
    if service is None:
        raise UnknownService(f"Unknown service {code!r}.")
    url = f"{settings.public_base_url}/twilio/transfer/enqueue?service={service.code}"
    try:
        twilio_rest.redirect_live_call(twilio_rest.make_twilio_client(settings), call.call_sid, url)
    except (TwilioException, requests.RequestException) as exc:
        log.warning("Twilio did not accept the transfer of %s: %s", call.call_sid, exc)
        raise TwilioRefused("Twilio did not accept the transfer.") from exc
    routing.transfer_to_service(session, call, service, now)
    session.commit()
    return service


def transfer_targets(session: Session, staff: Staff, now: datetime, wrap_up: int) -> list[Staff]:
    """Other active advisors free to take a transfer now, by name."""
    found = session.scalars(
        select(Staff)
        .options(load_only(Staff.name, Staff.email, Staff.status, Staff.status_changed_at))
        .where(
            Staff.role == Role.ADVISOR,
            Staff.active.is_(True),
            Staff.id != staff.id,
            Staff.endpoint.is_not(None),
            Staff.status.in_((AdvisorStatus.AVAILABLE, AdvisorStatus.WRAP_UP)),
        )
        .order_by(Staff.name, Staff.id)
    )
    return [s for s in found if routing.idle_since(s.status, s.status_changed_at, now, wrap_up)]
