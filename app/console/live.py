"""Live fragments (SPEC §14 "live views"): short polls answered 304 when nothing changed.

A desk or a board asks for its fragment every few seconds with the ETag of what it shows. The
ETag is a digest of the state the fragment shows (never of the HTML, whose CSRF token changes),
so an unchanged state costs the queries and no rendering. Each request is short: no web worker
is held waiting for a change. `X-Clock` carries the app's clock, so the page's own countdowns
and "time in status" counters tick from the server's time, not the browser's.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Response, make_response, render_template, request

from app.console import bp
from app.console.auth import now

LONDON = ZoneInfo("Europe/London")

FRAGMENT_HEADER = "X-Live-Fragment"  # sent by live.js: answer with the fragment, not a page


def wants_fragment() -> bool:
    """True when live.js asked (a poll, or a form it submitted for the page)."""
    return request.headers.get(FRAGMENT_HEADER) == "1"


def state_etag(state: object) -> str:
    """A strong ETag (unquoted) for the state a fragment shows."""
    return hashlib.sha256(repr(state).encode()).hexdigest()[:32]


def fragment(
    template: str, state: object, render_context: Callable[[], dict[str, object]]
) -> Response:
    """The fragment, or 304 when the client already shows this state."""
    etag = state_etag(state)
    if etag in request.if_none_match:
        response = Response(status=304)
    else:
        response = make_response(render_template(template, **render_context()))
    response.set_etag(etag)
    response.headers["X-Clock"] = now().isoformat()
    response.headers["Cache-Control"] = "no-store"
    return response


def duration(seconds: int | None) -> str:
    """Seconds as a clock reads them: `0:45`, `12:03`, `1:02:09` (live.js ticks the same way)."""
    if seconds is None:
        return "–"
    hours, rest = divmod(max(0, int(seconds)), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02}:{secs:02}" if hours else f"{minutes}:{secs:02}"


def london_time(moment: datetime | None) -> str:
    """A moment as a time of day in London, e.g. `10:02`."""
    return moment.astimezone(LONDON).strftime("%H:%M") if moment else ""


def seconds_between(later: datetime, earlier: datetime | None) -> int | None:
    """Whole seconds from `earlier` to `later`, never negative."""
    return None if earlier is None else max(0, int((later - earlier).total_seconds()))


bp.add_app_template_filter(duration, "duration")
bp.add_app_template_filter(london_time, "london_time")
bp.add_app_template_global(seconds_between, "seconds_between")
