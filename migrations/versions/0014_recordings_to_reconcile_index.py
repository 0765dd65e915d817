"""on PostgreSQL, index by (status, updated_at) only the recordings the reconcile job looks for

The reconcile job's two queries read recordings by status and `updated_at`: those still
pending, and those stored or discarded whose copy at Twilio is not deleted yet. Every other
recording (stored with Twilio's copy gone, deleted, failed: nearly all of them, and 50 million
on a national line) was indexed there for nothing, and each one the retention sweep marked
deleted wrote a new entry in it: 1.3 ms of a batch of 1,000's 12.7 ms UPDATE. The partial
index keeps the rows those queries can ask for (each query's condition implies its
predicate). SQLite keeps the whole index: its planner takes a partial index whose condition
has an OR only for a query with the same OR.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02 11:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | Sequence[str] | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TO_RECONCILE = "status = 'pending' OR twilio_deleted_at IS NULL"


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index("ix_recordings_status_updated_at", table_name="recordings")
        op.create_index(
            "ix_recordings_to_reconcile",
            "recordings",
            ["status", "updated_at"],
            postgresql_where=sa.text(TO_RECONCILE),
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index("ix_recordings_to_reconcile", table_name="recordings")
        op.create_index("ix_recordings_status_updated_at", "recordings", ["status", "updated_at"])
