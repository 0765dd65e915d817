"""Twilio's voice webhooks: signature check, routes and TwiML builders."""

from flask import Blueprint

bp = Blueprint("voice", __name__, url_prefix="/twilio")

from app.voice import connect, recordings, routes  # noqa: E402, F401  (registers the routes on bp)
