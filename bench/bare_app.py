"""The baseline: a bare Flask endpoint returning fixed TwiML (no signature check, no database)."""

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
