"""A laptop-only stand-in for the few Twilio REST calls the product makes.

Registered only when no Twilio account is configured outside production
(`settings.twilio_sandbox`), so that `make run` plus `simulate-call` can show a whole call,
recording included, with no network. It serves a generated two-channel recording for any
RecordingSid and accepts deletions; it holds no state. Real deployments never load it.
"""

from __future__ import annotations

import io
import math
import wave
from array import array
from functools import cache

from flask import Blueprint, Response, abort, current_app, jsonify, request

bp = Blueprint("dev_twilio", __name__, url_prefix="/dev/twilio/2010-04-01/Accounts/<account>")
RATE, SECONDS = 8000, 5


@cache
def demo_recording() -> bytes:
    """Five seconds of 16-bit 8 kHz stereo: one tone for the caller, another for the advisor."""
    frames = array("h")
    for n in range(RATE * SECONDS):
        frames.append(int(8000 * math.sin(2 * math.pi * 440 * n / RATE)))
        frames.append(int(8000 * math.sin(2 * math.pi * 660 * n / RATE)))
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as wav:
        wav.setnchannels(2)
        wav.setsampwidth(2)
        wav.setframerate(RATE)
        wav.writeframes(frames.tobytes())
    return buffer.getvalue()


@bp.before_request
def check_credentials() -> None:
    """Basic auth with our account, as Twilio requires."""
    settings = current_app.config["SETTINGS"]
    auth = request.authorization
    if auth is None or (auth.username, auth.password) != (
        settings.twilio_account_sid,
        settings.twilio_auth_token,
    ):
        abort(401)


@bp.get("/Recordings/<sid>.wav")
def recording_media(account: str, sid: str) -> Response:
    """The recording's audio (the same demo audio for every SID)."""
    return Response(demo_recording(), mimetype="audio/x-wav")


@bp.delete("/Recordings/<sid>.json")
def delete_recording(account: str, sid: str) -> tuple[str, int]:
    """Twilio's copy is gone."""
    return "", 204


@bp.get("/Recordings.json")
def list_recordings(account: str):  # noqa: ANN201
    """No recordings are left at the sandbox."""
    return jsonify(
        {"recordings": [], "next_page_uri": None, "page": 0, "page_size": 50, "uri": request.path}
    )


@bp.post("/Calls/<call_sid>/Recordings/<sid>.json")
def update_call_recording(account: str, call_sid: str, sid: str):  # noqa: ANN201
    """Stop (or pause) a live recording."""
    return jsonify({"sid": sid, "call_sid": call_sid, "status": request.form.get("Status")})


@bp.post("/Calls/<call_sid>.json")
def update_call(account: str, call_sid: str):  # noqa: ANN201
    """Redirect a call (the simulator does not follow it)."""
    return jsonify({"sid": call_sid, "status": "in-progress"})


@bp.route("/Queues/<queue_sid>/Members/<call_sid>.json", methods=["GET", "POST"])
def queue_member(account: str, queue_sid: str, call_sid: str):  # noqa: ANN201
    """No real queues on a laptop: Twilio's 'not in queue' answer keeps the caller holding."""
    return jsonify({"code": 20404, "message": "not in queue (sandbox)", "status": 404}), 404
