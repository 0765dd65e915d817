"""What a requester is told when their access request is refused (UK GDPR art. 12(4)–(5))."""

from __future__ import annotations

from enum import StrEnum

__all__ = ["RefusalGround", "refusal_notice"]


class RefusalGround(StrEnum):
    """Why a request may be refused."""

    MANIFESTLY_UNFOUNDED = "manifestly_unfounded"
    MANIFESTLY_EXCESSIVE = "manifestly_excessive"

    @property
    def words(self) -> str:
        """The ground as the requester reads it."""
        return self.value.replace("_", " ")


_NOTICE = (
    "Your subject access request {reference} has been refused because we consider it "
    "{ground}. Our reasons: {reason}\n\n"
    "If you are unhappy with this decision you can complain to the Information Commissioner's "
    "Office (ICO): https://ico.org.uk/make-a-complaint/ or 0303 123 1113. You can also ask a "
    "court to order us to comply with your request."
)


def refusal_notice(reference: str, ground: str, reason: str) -> str:
    """The text the requester receives: the ground, our reasons and how to complain to the ICO."""
    return _NOTICE.format(reference=reference, ground=RefusalGround(ground).words, reason=reason)
