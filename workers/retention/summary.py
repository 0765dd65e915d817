"""What every step of a retention run shares: its summary, its failure, the batch size."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

__all__ = ["BATCH_SIZE", "RetentionIncomplete", "RetentionSummary"]

BATCH_SIZE = 1000  # rows per transaction, in every step


class RetentionIncomplete(Exception):
    """The sweep finished but some deletions failed; the next run retries them."""


@dataclass
class RetentionSummary:
    """What one sweep did."""

    run_id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    deleted: list[str] = field(default_factory=list)
    deleted_after_hold: int = 0
    twilio_copies_deleted: list[str] = field(default_factory=list)
    twilio_unknown_deleted: list[str] = field(default_factory=list)
    never_stored_expired: list[str] = field(default_factory=list)
    ingest_enqueued: list[str] = field(default_factory=list)
    calls_anonymised: int = 0
    calls_skipped: int = 0
    failures: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, Any]:
        """The figures, without sids (what the RQ job returns)."""
        return {
            "run_id": self.run_id,
            "recordings_deleted": len(self.deleted),
            "deleted_after_hold": self.deleted_after_hold,
            "twilio_copies_deleted": len(self.twilio_copies_deleted),
            "twilio_unknown_deleted": len(self.twilio_unknown_deleted),
            "never_stored_expired": len(self.never_stored_expired),
            "ingest_enqueued": len(self.ingest_enqueued),
            "calls_anonymised": self.calls_anonymised,
            "calls_skipped": self.calls_skipped,
            "failures": len(self.failures),
        }
