"""What a requester is told when their access request is refused (UK GDPR art. 12(4)–(5)).

The words are in `recordings.correspondence`, one catalogue per language; the Welsh ones are
reference wording marked for the council's translators.
"""

from __future__ import annotations

from enum import StrEnum

from recordings.correspondence import words

__all__ = ["RefusalGround", "refusal_notice"]


class RefusalGround(StrEnum):
    """Why a request may be refused."""

    MANIFESTLY_UNFOUNDED = "manifestly_unfounded"
    MANIFESTLY_EXCESSIVE = "manifestly_excessive"


def refusal_notice(reference: str, ground: str, reason: str, language: str = "en") -> str:
    """The notice in `language`: the ground, our reasons, the ICO complaint, a court's remedy."""
    text = words(language)
    ground_words = text[f"refusal_{RefusalGround(ground).value}"]
    return text["refusal_notice"].format(reference=reference, ground=ground_words, reason=reason)
