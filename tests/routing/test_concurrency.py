"""Many processes matching at once: no caller to two advisors, no advisor with two callers."""

from __future__ import annotations

import multiprocessing
from collections import defaultdict
from datetime import timedelta
from functools import partial

from app.models import Call, CallLeg
from tests.routing.claim_worker import serve_callers
from tests.routing.support import add_staff, add_waiting_call
from tests.support.rows import count, rows

PROCESSES = 5
SERVICES = {
    "crisis_response": 1,
    "adult_social_care": 2,
    "children_families": 2,
    "careline": 3,
    "general_advice": 4,
}
CODES = list(SERVICES)


def seed(callers: int = 50, advisors: int = 10) -> None:
    for n in range(callers):
        code = CODES[n % len(CODES)]
        add_waiting_call(n, code, SERVICES[code], waited=timedelta(seconds=n))
    for n in range(advisors):
        skills = (CODES[n % len(CODES)], CODES[(n + 2) % len(CODES)])
        add_staff(f"advisor{n}@x.gov.uk", skills=skills, endpoint=f"client:a{n}")


def test_fifty_callers_ten_advisors_five_processes(app, database_url):
    seed()
    context = multiprocessing.get_context("spawn")
    with context.Pool(PROCESSES) as pool:
        runs = pool.map(partial(serve_callers, database_url), [25.0] * PROCESSES)
    served = [event for run in runs for event in run]
    assert sorted(call for call, *_ in served) == sorted(c.id for c in rows(Call))
    assert len({pid for *_, pid in served}) > 1, "the work was not shared between processes"
    by_advisor = defaultdict(list)
    for _call, advisor, start, end, _pid in served:
        by_advisor[advisor].append((start, end))
    for spans in by_advisor.values():
        spans.sort()
        assert all(
            prev_end <= start for (_, prev_end), (start, _) in zip(spans, spans[1:], strict=False)
        )
    assert count(CallLeg) == 50
    assert {c.routing_state for c in rows(Call)} == {"done"}
