"""The fake's Queues and Queue Members resources: create, list, fetch; redirect a member."""

from __future__ import annotations

from typing import Any

from werkzeug.wrappers import Request, Response

from tests.fakes.twilio_api.calls import CallsApi
from tests.fakes.twilio_api.responses import json_response, list_page
from tests.fakes.twilio_api.state import Queue, QueueMember, not_found, rfc2822
from tests.support.sids import new_sid

__all__ = ["QueuesApi"]


class QueuesApi(CallsApi):
    """Queues and their members in arrival order (``Front`` is the first)."""

    def add_queue(self, friendly_name: str, *, sid: str | None = None, max_size: int = 100) -> str:
        """Create a queue and return its SID."""
        now = self.clock()
        queue = Queue(sid or new_sid("QU"), friendly_name, max_size, now, now)
        with self._lock:
            self.queues[queue.sid] = queue
        return queue.sid

    def add_queue_member(self, queue_sid: str, call_sid: str) -> None:
        """Put a call at the back of a queue, as Twilio does once the caller is enqueued."""
        with self._lock:
            if queue_sid not in self.queues:
                raise KeyError(f"no queue {queue_sid}; create it with add_queue() or the API")
            self._call(call_sid)
            self.queues[queue_sid].members.append(QueueMember(call_sid, self.clock()))

    def _queue_json(self, queue: Queue) -> dict[str, Any]:
        return {
            "date_updated": rfc2822(queue.date_updated),
            "current_size": len(queue.members),
            "friendly_name": queue.friendly_name,
            "uri": f"{self._account_path()}/Queues/{queue.sid}.json",
            "account_sid": self.account_sid,
            "average_wait_time": 0,
            "sid": queue.sid,
            "date_created": rfc2822(queue.date_created),
            "max_size": queue.max_size,
        }

    def _member_json(self, queue: Queue, member: QueueMember, position: int) -> dict[str, Any]:
        wait = (self.clock() - member.date_enqueued).total_seconds()
        return {
            "call_sid": member.call_sid,
            "date_enqueued": rfc2822(member.date_enqueued),
            "position": position,
            "uri": f"{self._account_path()}/Queues/{queue.sid}/Members/{member.call_sid}.json",
            "wait_time": max(0, int(wait)),
            "queue_sid": queue.sid,
        }

    def _queue(self, request: Request, sid: str) -> Queue:
        if sid not in self.queues:
            raise not_found(request.path)
        return self.queues[sid]

    def _op_CreateQueue(self, request: Request, AccountSid: str) -> Response:
        form = request.form
        sid = self.add_queue(form["FriendlyName"], max_size=int(form.get("MaxSize", 100)))
        return json_response(self._queue_json(self.queues[sid]), status=201)

    def _op_ListQueue(self, request: Request, AccountSid: str) -> Response:
        queues = list(self.queues.values())
        return list_page(request, "queues", queues, self._queue_json, descending=False)

    def _op_FetchQueue(self, request: Request, AccountSid: str, Sid: str) -> Response:
        return json_response(self._queue_json(self._queue(request, Sid)))

    def _member(self, request: Request, queue: Queue, call_sid: str) -> tuple[QueueMember, int]:
        for position, member in enumerate(queue.members, start=1):
            if call_sid in (member.call_sid, "Front"):
                return member, position
        raise not_found(request.path)

    def _op_FetchMember(
        self, request: Request, AccountSid: str, QueueSid: str, CallSid: str
    ) -> Response:
        queue = self._queue(request, QueueSid)
        member, position = self._member(request, queue, CallSid)
        return json_response(self._member_json(queue, member, position))

    def _op_UpdateMember(
        self, request: Request, AccountSid: str, QueueSid: str, CallSid: str
    ) -> Response:
        queue = self._queue(request, QueueSid)
        member, position = self._member(request, queue, CallSid)
        body = self._member_json(queue, member, position)
        self._redirect(self._call(member.call_sid), request.form, via="queue-member")
        return json_response(body)
