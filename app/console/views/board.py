"""GET /console/board (SPEC §14): the supervisor's live view of queues, advisors and today.

The figures come from app.domain.board; `/console/board/live` serves the live part, polled by
live.js and answered 304 while nothing changed. Ending a stuck wrap-up is audited.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, flash, g, redirect, render_template, url_for
from werkzeug.wrappers import Response

from app.console import bp
from app.console.auth import console_roles, now
from app.console.live import fragment
from app.db.session import request_session
from app.domain import board, desk
from app.models import Role

LIVE_TEMPLATE = "console/_board_live.html"


@dataclass(frozen=True)
class BoardState:
    """What the live part of the board shows; its repr is the fragment's ETag.

    Its ETag leaves out the waits and times in status, which grow by themselves: it changes
    only when something happens, and the page ticks those clocks from their start.
    """

    queues: tuple[board.QueueLine, ...]
    advisors: tuple[board.AdvisorLine, ...]
    today: board.DayFigures
    day: str
    service_level_seconds: int
    wrap_up_seconds: int
    bilingual: bool = False  # the line has several languages: today's figures by language too


def board_state() -> BoardState:
    """Queues, advisors and today's figures now."""
    session, settings, moment = request_session(), current_app.config["SETTINGS"], now()
    queues = board.queues(session, current_app.config["SERVICES"], moment)
    advisors = board.advisors(session, moment, settings.wrap_up_seconds)
    return BoardState(
        queues=tuple(queues),
        advisors=tuple(advisors),
        today=board.today(session, moment, settings.service_level_seconds, settings.languages),
        day=board.london_day(moment)[0].date().isoformat(),
        service_level_seconds=settings.service_level_seconds,
        wrap_up_seconds=settings.wrap_up_seconds,
        bilingual=len(settings.languages) > 1,
    )


def _stateless(state: BoardState) -> tuple[object, ...]:
    """The state without the seconds that grow by themselves."""
    return (
        tuple(
            (q.code, q.waiting, sorted(q.by_language.items()), q.waiting_since)
            for q in state.queues
        ),
        tuple((a.id, a.name, a.status, a.since) for a in state.advisors),
        state.today,
        state.day,
    )


@bp.get("/board", endpoint="board")
@console_roles(Role.SUPERVISOR)
def board_page() -> str:
    """The supervisor's board."""
    return render_template("console/board.html", board=board_state(), clock=now())


@bp.get("/board/live")
@console_roles(Role.SUPERVISOR)
def board_live() -> Response:
    """The live part of the board, 304 when unchanged."""
    state = board_state()
    return fragment(LIVE_TEMPLATE, _stateless(state), lambda: {"board": state, "clock": now()})


@bp.post("/board/advisors/<int:advisor_id>/end-wrap-up")
@console_roles(Role.SUPERVISOR)
def board_end_wrap_up(advisor_id: int) -> Response:
    """End an advisor's wrap-up now; audited with the supervisor's name."""
    settings = current_app.config["SETTINGS"]
    ended = desk.end_wrap_up(request_session(), settings, advisor_id, now(), actor=g.staff.email)
    if ended:
        flash("Wrap-up ended: the advisor is available for calls.", "success")
    else:
        flash("That advisor is not in wrap-up any more.")
    return redirect(url_for("console.board"))
