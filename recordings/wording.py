"""Marking reference wording for the council's translators."""

from __future__ import annotations

__all__ = ["Draft", "drafts"]


class Draft(str):
    """Reference wording (Welsh) awaiting review by the council's translators."""

    __slots__ = ()


def drafts(catalogue: dict[str, str]) -> list[str]:
    """The keys of `catalogue` still awaiting review, for the translators' list."""
    return [key for key, value in catalogue.items() if isinstance(value, Draft)]
