"""the advisor's desk: an index finding the call routed to an advisor

The desk polls "which call is this advisor on?" every few seconds while they are busy; without
this index that is a scan of the calls table.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 10:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_calls_assigned_advisor_state", "calls", ["assigned_advisor_id", "routing_state"]
    )


def downgrade() -> None:
    op.drop_index("ix_calls_assigned_advisor_state", table_name="calls")
