"""One process of the concurrency test: claim, "talk", finish, until nobody is waiting."""

from __future__ import annotations

import os
import random
import time

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.db import make_engine
from app.domain import routing
from app.models import Call, CallLeg, RoutingState, utcnow

Event = tuple[int, int, float, float, int]


def _unfinished(session: Session) -> int:
    live = (RoutingState.WAITING, RoutingState.CONNECTING)
    return session.scalar(select(func.count()).where(Call.routing_state.in_(live))) or 0


def serve_callers(url: str, seconds: float) -> list[Event]:
    """Claim pairs in a loop; returns (call, advisor, start, end, pid) for each call served."""
    engine = make_engine(url)
    deadline = time.monotonic() + seconds
    served: list[Event] = []
    try:
        while time.monotonic() < deadline:
            with Session(engine) as session:
                claim = routing.claim_next(session, utcnow(), 0)
                session.commit()
                if claim is None:
                    if _unfinished(session) == 0:
                        break
                    time.sleep(0.002)
                    continue
            start = time.monotonic()
            time.sleep(random.uniform(0.002, 0.01))  # noqa: S311  (the "conversation")
            end = time.monotonic()
            with Session(engine) as session:
                routing.take_write_lock(session)  # SQLite: write first, then read
                call, leg = session.get(Call, claim.call_id), session.get(CallLeg, claim.leg_id)
                routing.leg_completed(session, call, leg, 1, utcnow())
                session.commit()
            served.append((claim.call_id, claim.advisor_id, start, end, os.getpid()))
    finally:
        engine.dispose()
    return served
