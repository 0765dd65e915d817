"""The fake's Calls resource: fetch and update (redirect, hang up) a call."""

from __future__ import annotations

from typing import Any

from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Request, Response

from tests.fakes.twilio_api.responses import json_response
from tests.fakes.twilio_api.state import (
    ENDED_CALL,
    Call,
    FakeAccount,
    Redirect,
    TwilioError,
    rfc2822,
)
from tests.support.sids import new_sid

__all__ = ["CallsApi"]


class CallsApi(FakeAccount):
    """Calls, created on first mention; redirects move a call out of any queue."""

    def add_call(
        self,
        sid: str | None = None,
        *,
        status: str = "in-progress",
        from_: str = "+441632960001",
        to: str = "+441632960002",
    ) -> str:
        """Register a call and return its SID (unknown calls are also created on first use)."""
        now = self.clock()
        call = Call(sid or new_sid("CA"), status, from_, to, now, now)
        with self._lock:
            self.calls[call.sid] = call
        return call.sid

    def _call_json(self, call: Call) -> dict[str, Any]:
        uri = f"{self._account_path()}/Calls/{call.sid}"
        ended = call.status in ENDED_CALL
        return {
            "sid": call.sid,
            "date_created": rfc2822(call.date_created),
            "date_updated": rfc2822(call.date_updated),
            "parent_call_sid": None,
            "account_sid": self.account_sid,
            "to": call.to,
            "to_formatted": call.to,
            "from": call.from_,
            "from_formatted": call.from_,
            "phone_number_sid": None,
            "status": call.status,
            "start_time": rfc2822(call.date_created),
            "end_time": rfc2822(call.date_updated) if ended else None,
            "duration": None,
            "price": None,
            "price_unit": "USD",
            "direction": "inbound",
            "answered_by": None,
            "api_version": "2010-04-01",
            "forwarded_from": None,
            "group_sid": None,
            "caller_name": None,
            "queue_time": "0",
            "trunk_sid": None,
            "uri": f"{uri}.json",
            "subresource_uris": {"recordings": f"{uri}/Recordings.json"},
        }

    def _call(self, sid: str) -> Call:
        """The call with this SID; Twilio knows every call the tests mention."""
        if sid not in self.calls:
            self.add_call(sid)
        return self.calls[sid]

    def _redirect(self, call: Call, form: MultiDict[str, str], via: str) -> None:
        if call.status in ENDED_CALL:
            raise TwilioError(400, 21220, "Call is not in-progress. Cannot redirect.")
        redirect = Redirect(form.get("Url"), form.get("Method", "POST"), form.get("Twiml"), via)
        call.redirects.append(redirect)
        call.date_updated = self.clock()
        for queue in self.queues.values():
            queue.members = [m for m in queue.members if m.call_sid != call.sid]

    def _op_FetchCall(self, request: Request, AccountSid: str, Sid: str) -> Response:
        return json_response(self._call_json(self._call(Sid)))

    def _op_UpdateCall(self, request: Request, AccountSid: str, Sid: str) -> Response:
        call = self._call(Sid)
        form = request.form
        if "Url" in form or "Twiml" in form:
            self._redirect(call, form, via="calls")
        status = form.get("Status")
        if status == "completed" and call.status not in ENDED_CALL:
            self._end_call(call, "completed")
        elif status == "canceled" and call.status in ("queued", "ringing"):
            self._end_call(call, "canceled")
        return json_response(self._call_json(call))

    def _end_call(self, call: Call, status: str) -> None:
        call.status = status
        call.date_updated = self.clock()
        for queue in self.queues.values():
            queue.members = [m for m in queue.members if m.call_sid != call.sid]
