"""GET /console/desk and its actions (SPEC §14): an advisor's status, call card and softphone.

The card follows the server's view of the advisor's call (`/console/desk/live`, polled by
live.js); every action is an ordinary form that also works without JavaScript (post, then
back to the desk), and the rules are the staff API's (app.domain.desk).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import current_app, flash, g, jsonify, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from app.console import bp
from app.console.auth import console_roles, now
from app.console.live import fragment, wants_fragment
from app.db.session import request_session
from app.domain import calls, desk
from app.integrations import voice_sdk
from app.models import Role, Staff
from app.web.errors import error_response

LIVE_TEMPLATE = "console/_desk_live.html"


@dataclass(frozen=True)
class DeskState:
    """Everything the live part of the desk shows; its repr is the fragment's ETag."""

    status: str
    since: datetime
    wrap_up_ends: datetime | None
    card: desk.CallCard | None
    targets: tuple[tuple[int, str], ...]
    services: tuple[tuple[str, str], ...]


def desk_state(staff: Staff) -> DeskState:
    """The advisor's status, wrap-up and call as the server sees them now."""
    session, settings = request_session(), current_app.config["SETTINGS"]
    wrap_up, moment = settings.wrap_up_seconds, now()
    status, since = desk.effective_status(staff, moment, wrap_up)
    call = desk.current_call(session, staff.id) if status == "busy" else None
    card = desk.call_card(session, call, current_app.config["SERVICES"]) if call else None
    targets = desk.transfer_targets(session, staff, moment, wrap_up) if card else []
    return DeskState(
        status=status,
        since=since,
        wrap_up_ends=desk.wrap_up_ends(staff, moment, wrap_up),
        card=card,
        targets=tuple((t.id, t.name or t.email) for t in targets),
        services=tuple((s.code, s.name) for s in current_app.config["SERVICES"]) if card else (),
    )


def _context(state: DeskState, notice: str | None = None, error: bool = False) -> dict:
    return {"desk": state, "notice": notice, "notice_is_error": error, "clock": now()}


@bp.get("/desk", endpoint="desk")
@console_roles(Role.ADVISOR)
def desk_page() -> str:
    """The advisor's desk."""
    state = desk_state(g.staff)
    softphone = voice_sdk.client_identity(g.staff.endpoint) is not None
    return render_template("console/desk.html", softphone=softphone, **_context(state))


@bp.get("/desk/live")
@console_roles(Role.ADVISOR)
def desk_live() -> Response:
    """The live part of the desk, 304 when unchanged."""
    state = desk_state(g.staff)
    return fragment(LIVE_TEMPLATE, state, lambda: _context(state))


def _done(message: str, *, error: bool = False, status: int = 200) -> Response:
    """After an action: the fresh fragment for live.js, or back to the desk with a message."""
    if wants_fragment():
        request_session().expire_all()
        state = desk_state(request_session().merge(g.staff))
        html = render_template(LIVE_TEMPLATE, **_context(state, message, error))
        response = current_app.make_response((html, status))
        response.headers["X-Clock"] = now().isoformat()
        return response
    flash(message, "error" if error else "success")
    return redirect(url_for("console.desk"))


@bp.post("/desk/status")
@console_roles(Role.ADVISOR)
def desk_status() -> Response:
    """Go available or offline."""
    wanted = request.form.get("status", "")
    try:
        desk.set_status(request_session(), current_app.config["SETTINGS"], g.staff, wanted, now())
    except desk.DeskError as exc:
        return _done(str(exc), error=True, status=409)
    return _done("You are available for calls." if wanted == "available" else "You are offline.")


@bp.post("/desk/end-wrap-up")
@console_roles(Role.ADVISOR)
def desk_end_wrap_up() -> Response:
    """End one's own wrap-up now."""
    settings = current_app.config["SETTINGS"]
    ended = desk.end_wrap_up(request_session(), settings, g.staff.id, now(), actor=g.staff.email)
    return _done("Wrap-up ended: you are available." if ended else "You are not in wrap-up.")


def _my_call():  # noqa: ANN202
    sid = request.form.get("call_sid", "")
    call = calls.find_call(request_session(), sid) if calls.CALL_SID.match(sid) else None
    if call is None or not desk.on_this_call(call, g.staff):
        raise desk.NotOnThisCall("That call is no longer with you.")
    return call


@bp.post("/desk/opt-out")
@console_roles(Role.ADVISOR)
def desk_opt_out() -> Response:
    """The caller does not want to be recorded: stop the recording (SPEC §4.6)."""
    settings = current_app.config["SETTINGS"]
    try:
        stopped = desk.opt_out(request_session(), settings, _my_call(), g.staff, now())
    except desk.TwilioRefused as exc:
        return _done(str(exc), error=True, status=502)
    except desk.DeskError as exc:
        return _done(str(exc), error=True, status=409)
    if stopped == "stopped":
        return _done("Recording stopped. The audio recorded so far will be discarded.")
    return _done("Noted: this call will not be recorded.")


@bp.post("/desk/transfer")
@console_roles(Role.ADVISOR)
def desk_transfer() -> Response:
    """Transfer the caller to another advisor or into a service's queue."""
    session, settings = request_session(), current_app.config["SETTINGS"]
    try:
        call = _my_call()
        if request.form.get("to") == "service":
            code = request.form.get("service", "")
            services = current_app.config["SERVICES"]
            service = desk.transfer_to_service(
                session, settings, services, call, g.staff, code, now()
            )
            return _done(f"Transferred to the {service.name} queue.")
        raw = request.form.get("advisor_id", "")
        if not raw.isdigit() or len(raw) > 9:
            return _done("Choose an advisor to transfer to.", error=True, status=400)
        desk.transfer_to_advisor(session, settings, call, g.staff, int(raw), now())
    except desk.TwilioRefused as exc:
        return _done(str(exc), error=True, status=502)
    except desk.DeskError as exc:
        return _done(str(exc), error=True, status=409)
    return _done("Transferred. The caller is being connected to the other advisor.")


@bp.get("/desk/voice-token")
@console_roles(Role.ADVISOR)
def desk_voice_token() -> tuple[Response, int]:
    """A Voice SDK token for the softphone; 503 with the reason when it cannot have one."""
    try:
        token = voice_sdk.access_token(current_app.config["SETTINGS"], g.staff.endpoint)
    except voice_sdk.VoiceSdkNotConfigured as exc:
        return error_response(503, "voice_sdk_not_configured", str(exc))
    except voice_sdk.NotAClientEndpoint as exc:
        return error_response(409, "not_a_client_endpoint", str(exc))
    body = {"token": token.token, "identity": token.identity, "expires_in": token.expires_in}
    return jsonify(body), 200
