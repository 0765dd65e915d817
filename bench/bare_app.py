"""The baselines: bare Flask endpoints returning fixed TwiML or a fixed HTML page (no signature
check, no session, no database, no template)."""

import os
from pathlib import Path

from flask import Flask, Response

TWIML = (
    '<?xml version="1.0" encoding="UTF-8"?><Response><Gather action="/twilio/notice" '
    'numDigits="1" timeout="1"><Say language="en-GB">Thank you for calling.</Say></Gather>'
    "<Redirect>/twilio/menu?attempt=1</Redirect></Response>"
)

app = Flask(__name__)


@app.post("/twilio/voice")
def voice() -> Response:
    """Fixed TwiML."""
    return Response(TWIML, mimetype="application/xml")


# The console pages bench's baseline: a static page of a console page's size (its HTML, saved).
STATIC_PAGE = Path(os.environ.get("BARE_PAGE_FILE", os.devnull)).read_bytes()


@app.get("/page")
def page() -> Response:
    """A fixed HTML page."""
    return Response(STATIC_PAGE, mimetype="text/html")
