"""Connecting a matched caller to an advisor (SPEC §4.5-4.7, §5): webhooks and their TwiML.

The decisions (match now, dial now, `<Leave>` or the connect job) are the domain's
(app.domain.routing.connect); these webhooks read Twilio's request and answer each with TwiML.
`/twilio/connect?leg=N` answers a `<Dial>` to the advisor; a caller joining the queue who is
matched at once gets that `<Dial>` straight away, and one whose waitUrl poll finds them claimed
gets `<Leave>`, then `<Redirect>` to it.

The dial's action (`/twilio/connect/result`) ends the leg: wrap-up after a call, or back to
the front of the queue (advisor offline) after a ring timeout.
"""

from __future__ import annotations

import logging
from datetime import datetime

from flask import Response, current_app, request
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session
from twilio.twiml.voice_response import Dial, VoiceResponse

from app.db.session import close_request_session, request_session
from app.domain import calls, routing
from app.integrations.twilio import connect_url
from app.models import Call, CallLeg, RoutingState
from app.voice import bp, twiml
from app.voice.language import prompts_for
from app.voice.prompts import Catalogue
from app.voice.signature import twilio_signed
from config.services import GENERAL_ADVICE, Service
from config.settings import Settings

log = logging.getLogger(__name__)
NOT_ANSWERED = {"no-answer", "busy", "failed"}
RECORDING_EVENTS = "in-progress completed"


def _settings() -> Settings:
    return current_app.config["SETTINGS"]  # type: ignore[no-any-return]


def _now() -> datetime:
    return current_app.config["CLOCK"]()  # type: ignore[no-any-return]


def _urls() -> twiml.Urls:
    return twiml.Urls(_settings().public_base_url)


def _xml(response: VoiceResponse) -> Response:
    return Response(str(response), mimetype="application/xml")


def _service(code: str | None) -> Service:
    services = current_app.config["SERVICES"]
    found = next((s for s in services if s.code == code), None)
    return found or next(s for s in services if s.code == GENERAL_ADVICE)


# --------------------------------------------------------------------------- TwiML


def dial_advisor(
    settings: Settings,
    prompts: Catalogue,
    urls: twiml.Urls,
    leg_id: int,
    endpoint: routing.Endpoint,
    record: bool,
) -> VoiceResponse:
    """Dial the advisor's endpoint; record both channels only when `record`."""
    response = VoiceResponse()
    prompts.speak(response, "connecting")
    options: dict[str, object] = {
        "timeout": settings.ring_timeout_seconds,
        "action": urls(f"connect/result?leg={leg_id}"),
        "method": "POST",
    }
    if record:
        options.update(
            record="record-from-answer-dual",
            recording_status_callback=urls("recording-status"),
            recording_status_callback_method="POST",
            recording_status_callback_event=RECORDING_EVENTS,
        )
    dial = Dial(**options)
    whisper = {"url": urls(f"connect/answered?leg={leg_id}"), "method": "POST"}
    if endpoint.kind == "client":
        dial.client(endpoint.address, **whisper)
    elif endpoint.kind == "sip":
        dial.sip(endpoint.address, **whisper)
    else:
        dial.number(endpoint.address, **whisper)
    response.append(dial)
    return response


def leave_for_advisor() -> VoiceResponse:
    """The waitUrl answer that takes a matched caller out of the queue.

    `<Leave>` is Twilio's way out of a queue from waitUrl TwiML: Twilio then requests the
    `<Enqueue>` action URL (QueueResult `leave`), which sends the caller on to their advisor.
    """
    response = VoiceResponse()
    response.leave()
    return response


def to_advisor(settings: Settings, leg_id: int) -> VoiceResponse:
    """Out of the queue: on to `/twilio/connect` for this leg."""
    response = VoiceResponse()
    response.redirect(connect_url(settings, leg_id), method="POST")
    return response


def goodbye(prompts: Catalogue) -> VoiceResponse:
    """The advisor has finished: end the caller's call."""
    response = VoiceResponse()
    prompts.speak(response, "goodbye")
    response.hangup()
    return response


def back_to_front(call: Call) -> Response:
    """The advisor did not answer: the caller keeps their place at the front of the queue."""
    service = _service(call.service_code)
    return _xml(twiml.enqueue_with(prompts_for(call), _urls(), service, "advisor_unavailable"))


# --------------------------------------------------------------------------- webhooks


def _current_call() -> tuple[Session, Call]:
    session = request_session()
    sid = calls.check_call_sid(request.form.get("CallSid"))
    call = calls.open_call(session, sid, request.form.get("From"), request.form.get("To"), _now())
    return session, call


def _leg_id() -> int | None:
    raw = request.args.get("leg", "")
    return int(raw) if raw.isdigit() and len(raw) < 12 else None


def _leg_of(session: Session, call: Call) -> CallLeg | None:
    leg = session.get(CallLeg, _leg_id()) if _leg_id() is not None else None
    return leg if leg is not None and leg.call_id == call.id else None


def connect_response(session: Session, call: Call, leg: CallLeg) -> Response:
    """The `<Dial>` for this leg, or back to the front when its advisor cannot be dialled."""
    endpoint = routing.endpoint_to_dial(session, call, leg, _now())
    session.commit()
    if endpoint is None:
        return back_to_front(call)
    prompts = prompts_for(call)
    return _xml(dial_advisor(_settings(), prompts, _urls(), leg.id, endpoint, leg.recorded))


@bp.post("/connect")
@twilio_signed
def connect_caller() -> Response:
    """The redirected caller: dial the advisor of their leg."""
    session, call = _current_call()
    leg = _leg_of(session, call)
    if leg is None or not routing.is_current_leg(call, leg):
        log.warning("call %s redirected for a leg that is not current", call.call_sid)
        session.commit()
        return back_to_front(call)
    return connect_response(session, call, leg)


@bp.post("/connect/answered")
@twilio_signed
def advisor_answered() -> Response:
    """Runs on the advisor's leg when they pick up: the call is answered. Never speaks."""
    try:
        session = request_session()
        leg = session.get(CallLeg, _leg_id()) if _leg_id() is not None else None
        call = session.get(Call, leg.call_id) if leg is not None else None
        parent = request.form.get("ParentCallSid")
        if leg is not None and call is not None and parent in (None, "", call.call_sid):
            routing.leg_answered(call, leg, request.form.get("CallSid", "")[:34], _now())
            session.commit()
    except SQLAlchemyError:
        log.exception("could not record that leg %s was answered", _leg_id())
        close_request_session()
    return _xml(twiml.empty())


@bp.post("/connect/result")
@twilio_signed
def dial_result() -> Response:
    """The `<Dial>` ended: wrap-up after a call, or back to the front after no answer."""
    session, call = _current_call()
    leg = _leg_of(session, call)
    status = request.form.get("DialCallStatus", "")[:16]
    if leg is None:
        session.commit()
        return _xml(twiml.empty())
    if leg.ended_at is not None:  # a repeated callback, or a leg already transferred away
        session.commit()
        if leg.result in NOT_ANSWERED and call.routing_state == RoutingState.WAITING:
            return back_to_front(call)
        return _xml(twiml.empty())
    now = _now()
    if status == "completed":
        duration = request.form.get("DialCallDuration", "")
        seconds = int(duration) if duration.isdigit() and len(duration) < 7 else None
        routing.leg_completed(session, call, leg, seconds, now)
        session.commit()
        return _xml(goodbye(prompts_for(call)))
    if status in NOT_ANSWERED:
        routing.leg_not_answered(session, call, leg, status, now)
        session.commit()
        log.info("advisor %s did not answer call %s (%s)", leg.advisor_id, call.call_sid, status)
        return back_to_front(call)
    routing.leg_abandoned(session, call, leg, status or "canceled", now)
    session.commit()
    return _xml(twiml.empty())


@bp.post("/transfer/enqueue")
@twilio_signed
def transfer_enqueue() -> Response:
    """A caller transferred to a service: into that service's queue."""
    session, call = _current_call()
    service = _service(request.args.get("service"))
    if call.routing_state != RoutingState.WAITING or call.service_code != service.code:
        routing.transfer_to_service(session, call, service, _now())
    session.commit()
    prompts = prompts_for(call)
    return _xml(twiml.enqueue_with(prompts, _urls(), service, "transfer_to_service"))


def wait_answer(session: Session, call: Call) -> Response | None:
    """A waitUrl poll: `<Leave>` for the advisor if this caller's claim awaits its move."""
    queued = routing.take_move_on_poll(session, call)
    session.commit()
    if queued is None:
        return None
    log.info("call %s leaves the queue for advisor %s", call.call_sid, queued.advisor_id)
    return _xml(leave_for_advisor())


def left_for_advisor(session: Session, call: Call) -> Response | None:
    """The `<Enqueue>` action after `<Leave>`: on to the advisor if the caller was matched."""
    leg = routing.leg_after_leaving(session, call)
    if leg is None:
        return None
    session.commit()
    return _xml(to_advisor(_settings(), leg.id))


def join_queue_answer(session: Session, call: Call) -> Response | None:
    """Matching when a caller joins a queue: the `<Dial>` if they can be connected at once."""
    leg = routing.match_on_joining(session, _settings(), _now(), call)
    return connect_response(session, call, leg) if leg is not None else None
