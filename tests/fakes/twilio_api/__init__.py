"""A local HTTP fake of Twilio's REST API v2010, checked against Twilio's OpenAPI description.

`openapi` compiles the description and checks each request; `state` holds what the fake knows;
`calls`, `recordings` and `queues` answer their resources; `server` is the fake itself.
"""

from tests.fakes.twilio_api.openapi import SPEC_PATH, TwilioSpec, load_spec
from tests.fakes.twilio_api.server import FakeTwilio, make_client
from tests.fakes.twilio_api.state import (
    Call,
    Queue,
    QueueMember,
    Recording,
    Redirect,
    TwilioRequest,
    silent_wav,
)

__all__ = [
    "SPEC_PATH",
    "Call",
    "FakeTwilio",
    "Queue",
    "QueueMember",
    "Recording",
    "Redirect",
    "TwilioRequest",
    "TwilioSpec",
    "load_spec",
    "make_client",
    "silent_wav",
]
