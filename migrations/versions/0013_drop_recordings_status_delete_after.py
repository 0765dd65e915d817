"""drop ix_recordings_status_delete_after on PostgreSQL: the partial index does its work

Every query by due date reads stored recordings only (the retention sweep's due query, the
retention report), and on PostgreSQL reads them from `ix_recordings_stored_delete_after`
(0012). The older index on (status, delete_after) was no longer read there, but the sweep's
UPDATE of each batch wrote a new entry in it for every recording it marked deleted: measured
with 100,000 recordings, the UPDATE of a batch of 1,000 took 14.6 ms without it against
18.4 ms with it. SQLite keeps it: its planner does not take the partial index for a condition
on a bound parameter.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 08:20:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0013"
down_revision: str | Sequence[str] | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index("ix_recordings_status_delete_after", table_name="recordings")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.create_index(
            "ix_recordings_status_delete_after", "recordings", ["status", "delete_after"]
        )
