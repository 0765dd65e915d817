"""The matching order (SPEC §5) as pure rules: who waits longest, who has been idle longest.

Highest-priority service first (lowest number), then the longest-waiting caller
(`queue_sort_at`; a caller put back at the front gets a key earlier than everyone waiting),
to the longest-idle available advisor skilled for that service who speaks the caller's language
(SPEC §13): a caller who chose a language waits for an advisor who speaks it, unless they have
accepted the next advisor in any language.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from app.models import AdvisorStatus

FRONT_STEP = timedelta(milliseconds=1)
ADVISOR_LANGUAGES = frozenset({"en"})  # an advisor with no languages recorded speaks English


@dataclass(frozen=True)
class WaitingCaller:
    """A caller the app could connect now."""

    call_id: int
    service_code: str
    priority: int
    sort_at: datetime
    language: str | None = None  # None: the caller has not chosen (any advisor will do)
    any_language: bool = False  # accepted the next advisor in any language


@dataclass(frozen=True)
class IdleAdvisor:
    """An advisor free to take a call, idle since `idle_since`."""

    advisor_id: int
    skills: frozenset[str]
    idle_since: datetime
    languages: frozenset[str] = ADVISOR_LANGUAGES


def caller_order(caller: WaitingCaller) -> tuple[int, datetime, int]:
    """Highest-priority service first (lowest number), then longest waiting."""
    return (caller.priority, caller.sort_at, caller.call_id)


def advisor_order(advisor: IdleAdvisor) -> tuple[datetime, int]:
    """Longest idle first."""
    return (advisor.idle_since, advisor.advisor_id)


def idle_since(
    status: str, changed_at: datetime, now: datetime, wrap_up_seconds: int
) -> datetime | None:
    """When the advisor became free, or None while they cannot take a call.

    An advisor in wrap-up whose wrap-up time has passed counts as available from the moment
    it ended, so no timer is needed to flip them back.
    """
    if status == AdvisorStatus.AVAILABLE:
        return changed_at
    if status == AdvisorStatus.WRAP_UP:
        ends = changed_at + timedelta(seconds=wrap_up_seconds)
        return ends if ends <= now else None
    return None


def speaks_for(advisor: IdleAdvisor, caller: WaitingCaller) -> bool:
    """Whether the advisor may take this caller as far as language goes."""
    return caller.language is None or caller.any_language or caller.language in advisor.languages


def can_take(advisor: IdleAdvisor, caller: WaitingCaller) -> bool:
    """Skilled for the caller's service and speaking their language."""
    return caller.service_code in advisor.skills and speaks_for(advisor, caller)


def advisor_languages(languages: Iterable[str] | None) -> frozenset[str]:
    """The languages an advisor row records, English when it records none."""
    return frozenset(languages or ()) or ADVISOR_LANGUAGES


def choose_pair(
    callers: Iterable[WaitingCaller], advisors: Sequence[IdleAdvisor]
) -> tuple[WaitingCaller, IdleAdvisor] | None:
    """The first caller in queue order that some advisor can take, and the longest-idle such."""
    for caller in sorted(callers, key=caller_order):
        skilled = [a for a in advisors if can_take(a, caller)]
        if skilled:
            return caller, min(skilled, key=advisor_order)
    return None


def front_of(sort_keys: Iterable[datetime], own: datetime) -> datetime:
    """A sort key that puts a caller ahead of everyone now waiting in their queue."""
    earliest = min(sort_keys, default=None)
    return own if earliest is None else min(own, earliest - FRONT_STEP)
