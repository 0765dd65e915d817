"""The call flow's webhooks (SPEC §3, §4). Thin: parse, change the call, answer TwiML."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from flask import Response, current_app, request
from twilio.twiml.voice_response import VoiceResponse
from werkzeug.exceptions import HTTPException

from app.db.session import close_request_session, request_session
from app.domain import calls, languages, routing
from app.extensions import db
from app.models import OptOutSource, RoutingState
from app.voice import bp, connect, twiml
from app.voice.language import is_bilingual, line, prompts_after_error, prompts_for, prompts_for_sid
from app.voice.signature import twilio_signed
from app.web.errors import error_response
from config.services import GENERAL_ADVICE, Service

log = logging.getLogger(__name__)
OPT_OUT_KEY = "*"


def _settings():  # noqa: ANN202
    return current_app.config["SETTINGS"]


def _now() -> datetime:
    return current_app.config["CLOCK"]()


def _services() -> tuple[Service, ...]:
    return current_app.config["SERVICES"]


def _urls() -> twiml.Urls:
    return twiml.Urls(_settings().public_base_url)


def _service_for_key(key: str) -> Service | None:
    return next((s for s in _services() if s.key == key), None)


def _service(code: str) -> Service:
    return next(s for s in _services() if s.code == code)


def _xml(response: VoiceResponse) -> Response:
    return Response(str(response), mimetype="application/xml")


FIXED_TWIML = "fixed_twiml"  # app.extensions[FIXED_TWIML]: name -> TwiML rendered once


def _fixed_xml(name: str, build: Callable[[], VoiceResponse]) -> Response:
    """TwiML that depends only on this app's settings, rendered once per process."""
    rendered = current_app.extensions.setdefault(FIXED_TWIML, {})
    if name not in rendered:
        rendered[name] = str(build())
    return Response(rendered[name], mimetype="application/xml")


def _attempt() -> int:
    raw = request.args.get("attempt", "1")
    return int(raw) if raw.isdigit() and len(raw) < 3 else 1


def _digits() -> str:
    digits = request.form.get("Digits", "")
    return digits if len(digits) == 1 else ""


def _current_call():  # noqa: ANN202
    session = request_session()
    sid = calls.check_call_sid(request.form.get("CallSid"))
    return session, calls.open_call(
        session, sid, request.form.get("From"), request.form.get("To"), _now()
    )


def incoming_twiml(is_open: bool, language: str | None) -> str:
    """The name of the fixed TwiML a new call hears: the closed message out of hours, the
    language choice on a bilingual line (`language` None), otherwise greeting and notice."""
    if not is_open:
        return "closed"
    return "language" if language is None else "greeting"


_INCOMING_TWIML: dict[str, Callable[[], VoiceResponse]] = {
    "closed": lambda: twiml.closed(line()),
    "language": lambda: twiml.language_choice(line(), _urls(), attempt=1),
    "greeting": lambda: twiml.greeting(prompts_for(None), _urls()),
}


@bp.post("/voice")
@twilio_signed
def incoming_call() -> Response:
    """A new call: closed message out of hours, otherwise greeting and recording notice.

    `app.voice.fast_path` answers the common case of this webhook below Flask, with the
    same write and the TwiML rendered here."""
    form = request.form
    sid = calls.check_call_sid(form.get("CallSid"))
    now = _now()
    is_open = current_app.config["OPENING_HOURS"].is_open(now)
    language = languages.single_language(_settings().languages)
    # Not durable: every later webhook of this call carries From and To and recreates the row.
    calls.record_incoming(
        db, sid, form.get("From"), form.get("To"), now, out_of_hours=not is_open, language=language
    )
    name = incoming_twiml(is_open, language)
    return _fixed_xml(name, _INCOMING_TWIML[name])


@bp.post("/language")
@twilio_signed
def language_choice() -> Response:
    """The caller's language key: the notice in that language, the choice again, or the default."""
    session, call = _current_call()
    settings = _settings()
    chosen = languages.choose_language(
        _digits(), _attempt(), settings.languages, settings.default_language
    )
    if chosen is None:
        session.commit()
        return _xml(twiml.language_choice(line(), _urls(), _attempt() + 1))
    calls.choose_language(call, chosen)
    session.commit()
    return _xml(twiml.greeting(prompts_for(call), _urls(), greet=False))


@bp.post("/notice")
@twilio_signed
def notice_choice() -> Response:
    """A key pressed during the notice: star opts out; a menu key chooses straight away."""
    session, call = _current_call()
    digits = _digits()
    if digits == OPT_OUT_KEY:
        calls.opt_out(session, call, OptOutSource.CALLER_KEYPRESS, _now())
        session.commit()
        return _xml(twiml.opted_out(prompts_for(call), _urls(), "menu?attempt=1"))
    service = _service_for_key(digits)
    if service is not None:
        return _join_queue(session, call, service)
    session.commit()
    return _xml(twiml.menu(prompts_for(call), _urls(), _services(), attempt=1))


@bp.post("/menu")
@twilio_signed
def service_menu() -> Response:
    """The service menu."""
    prompts = prompts_for_sid(request_session(), request.form.get("CallSid"))
    return _xml(twiml.menu(prompts, _urls(), _services(), _attempt()))


@bp.post("/menu/choice")
@twilio_signed
def menu_choice() -> Response:
    """The caller's menu key: a queue, a repeat of the menu, or general advice after two misses."""
    session, call = _current_call()
    digits, attempt = _digits(), _attempt()
    if digits == OPT_OUT_KEY:
        calls.opt_out(session, call, OptOutSource.CALLER_KEYPRESS, _now())
        session.commit()
        return _xml(twiml.opted_out(prompts_for(call), _urls(), f"menu?attempt={attempt}"))
    service = _service_for_key(digits)
    if service is not None:
        return _join_queue(session, call, service)
    if attempt < twiml.MAX_MENU_ATTEMPTS:
        session.commit()
        return _xml(twiml.menu_retry(prompts_for(call), _urls(), attempt))
    return _join_queue(session, call, _service(GENERAL_ADVICE), fallback=True)


def _join_queue(session, call, service: Service, *, fallback: bool = False) -> Response:  # noqa: ANN001
    calls.choose_service(call, service.code, _now())
    routing.caller_joined(call, service)
    session.commit()
    dial = connect.join_queue_answer(session, call)
    if dial is not None:
        return dial
    return _xml(twiml.enqueue(prompts_for(call), _urls(), service, fallback=fallback))


def _int_param(name: str) -> int | None:
    raw = request.form.get(name, "")
    return int(raw) if raw.isdigit() and len(raw) < 9 else None


@bp.post("/queue/wait")
@twilio_signed
def queue_wait() -> Response:
    """Twilio's waitUrl poll: to the advisor once matched, else hold (or leave at the maximum)."""
    session, call = _current_call()
    waited = _int_param("QueueTime") or 0
    claimed = call.routing_state == RoutingState.CONNECTING  # matched elsewhere, maybe not moved
    if waited >= _settings().queue_max_wait_seconds and not claimed:
        return _xml(twiml.leave_queue(prompts_for(call)))
    routing.caller_in_queue(call, request.form.get("QueueSid"))
    session.commit()
    if call.routing_state == RoutingState.WAITING:
        reachable = call.id if call.queue_sid else None  # only a caller in the queue can leave it
        claim = routing.match_and_connect(session, _settings(), _now(), reachable_call_id=reachable)
        claimed = claim is not None and claim.call_id == call.id
    redirect = connect.wait_answer(session, call) if claimed else None
    if redirect is not None:
        return redirect
    estimate = None
    if call.service_code:
        estimate = calls.estimated_wait(session, call.service_code, waited)
    offer = None
    if is_bilingual() and routing.any_language_offer_due(
        session, _settings(), _now(), call, waited
    ):
        offer = _urls()("queue/language-offer")
    prompts = prompts_for(call)
    position = _int_param("QueuePosition")
    return _xml(twiml.hold(prompts, _settings(), position, estimate, offer=offer))


@bp.post("/queue/language-offer")
@twilio_signed
def language_offer() -> Response:
    """A key during the offer (in the waitUrl's TwiML): 2 widens the match to any language."""
    session, call = _current_call()
    if _digits() != languages.ANY_LANGUAGE_KEY:
        session.commit()
        return _xml(twiml.hold(prompts_for(call), _settings(), None, None))
    calls.accept_any_language(call, _now())
    session.commit()
    if call.routing_state == RoutingState.WAITING:
        claim = routing.match_and_connect(session, _settings(), _now(), reachable_call_id=call.id)
        if claim is not None and claim.call_id == call.id:
            return connect.wait_answer(session, call) or _xml(twiml.empty())
    return _xml(twiml.offer_accepted(prompts_for(call), _settings()))


@bp.post("/queue/result")
@twilio_signed
def queue_result() -> Response:
    """The caller left the queue: record why; on to the advisor if matched, else (the maximum
    wait) signpost and hang up."""
    session, call = _current_call()
    result = request.form.get("QueueResult", "")[:20] or "unknown"
    calls.record_queue_exit(call, result, _now())
    session.commit()
    if result == "leave":
        left = connect.left_for_advisor(session, call)
        return left or _xml(twiml.gave_up_waiting(prompts_for(call)))
    if result in {"error", "system-error", "queue-full"}:
        return _xml(_apology(prompts_for(call)))
    return _xml(twiml.empty())


@bp.post("/call-status")
@twilio_signed
def call_status() -> Response:
    """The number's status callback: closes the call with duration and outcome."""
    session, call = _current_call()
    status = request.form.get("CallStatus", "")[:16]
    calls.close_call(call, status, _int_param("CallDuration"), _now())
    routing.call_ended(session, call, _now())
    session.commit()
    return _xml(twiml.empty())


@bp.errorhandler(calls.InvalidCallSid)
def missing_call_sid(exc: calls.InvalidCallSid) -> tuple[Response, int]:
    """A request without a usable CallSid cannot belong to a call: 400, nothing written."""
    close_request_session()
    return Response(str(exc), status=400, mimetype="text/plain"), 400


@bp.errorhandler(Exception)
def keep_the_caller_moving(exc: Exception) -> Response | tuple[Response, int]:
    """Any internal error: log it, keep nothing half-written, and answer TwiML that moves on."""
    if isinstance(exc, HTTPException):
        return error_response(exc.code or 500, "refused", exc.description or exc.name)
    log.exception("voice webhook %s failed; answering with fallback TwiML", request.path)
    close_request_session()
    if request.endpoint == "voice.queue_wait":
        return _xml(twiml.hold_after_error(_settings()))
    if request.endpoint in {"voice.call_status", "voice.queue_result"}:
        return _xml(twiml.empty())
    return _xml(_apology(prompts_after_error()))


def _apology(prompts) -> VoiceResponse:  # noqa: ANN001
    return twiml.apology(prompts, _settings(), _urls(), _service(GENERAL_ADVICE))
