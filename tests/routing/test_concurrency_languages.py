"""Many processes matching a mixed Welsh and English queue at once (SPEC §5, §13)."""

from __future__ import annotations

import multiprocessing
from collections import defaultdict
from datetime import timedelta
from functools import partial
from itertools import pairwise

from app.models import Call, CallLeg, Staff
from tests.routing.claim_worker import serve_callers
from tests.routing.language_support import caller_language, speaks
from tests.routing.support import add_staff, add_waiting_call
from tests.routing.test_concurrency import CODES, PROCESSES, SERVICES
from tests.support.rows import count, rows


def seed(callers: int = 50, advisors: int = 10) -> None:
    """Every third caller Welsh; every third advisor speaks Welsh and English, the rest English."""
    for n in range(callers):
        code = CODES[n % len(CODES)]
        call_id = add_waiting_call(n, code, SERVICES[code], waited=timedelta(seconds=n))
        caller_language(call_id, "cy" if n % 3 == 0 else "en")
    for n in range(advisors):
        skills = tuple(CODES) if n % 3 == 0 else (CODES[n % len(CODES)], CODES[(n + 2) % 5])
        staff_id = add_staff(f"advisor{n}@x.gov.uk", skills=skills, endpoint=f"client:a{n}")
        speaks(staff_id, *(("cy", "en") if n % 3 == 0 else ("en",)))


def test_fifty_mixed_language_callers_five_processes(app, database_url):
    seed()
    context = multiprocessing.get_context("spawn")
    with context.Pool(PROCESSES) as pool:
        runs = pool.map(partial(serve_callers, database_url), [40.0] * PROCESSES)
    served = [event for run in runs for event in run]
    assert sorted(call for call, *_ in served) == sorted(c.id for c in rows(Call))
    language = {c.id: c.language for c in rows(Call)}
    speaks_welsh = {s.id for s in rows(Staff) if "cy" in s.languages}
    assert all(advisor in speaks_welsh for call, advisor, *_ in served if language[call] == "cy")
    by_advisor = defaultdict(list)
    for _call, advisor, start, end, _pid in served:
        by_advisor[advisor].append((start, end))
    for spans in by_advisor.values():
        spans.sort()
        assert all(prev_end <= start for (_, prev_end), (start, _) in pairwise(spans))
    assert count(CallLeg) == 50
    assert {c.routing_state for c in rows(Call)} == {"done"}
