"""calls: the service, queue and advisor indexes cover only the calls they can find; today's
offered calls get their own

A new call has no service, no routing state and no advisor. As full indexes, all three took an
entry for every call the incoming-call webhook inserted (every call to the line); as partial
indexes (`… IS NOT NULL`) they take one only once the call reaches a service, a queue or an
advisor. Every query on them names a value of the first column (`service_code = …`,
`routing_state = …`, `assigned_advisor_id = …`), which implies the index's condition, so
PostgreSQL and SQLite use them as before.

The board's figures for today count the calls offered to a queue (`enqueued_at IS NOT NULL`)
among today's; on `ix_calls_started_at` that read every call of the day, offered or not, on
every board's refresh. `ix_calls_offered_started_at` holds only offered calls.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 00:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = (
    ("ix_calls_service_dequeued", ["service_code", "dequeued_at"], "service_code IS NOT NULL"),
    (
        "ix_calls_routing_queue",
        ["routing_state", "queue_priority", "queue_sort_at"],
        "routing_state IS NOT NULL",
    ),
    (
        "ix_calls_assigned_advisor_state",
        ["assigned_advisor_id", "routing_state"],
        "assigned_advisor_id IS NOT NULL",
    ),
)


OFFERED = ("ix_calls_offered_started_at", ["started_at"], "enqueued_at IS NOT NULL")


def _partial(name: str, columns: list[str], where: str) -> None:
    op.create_index(
        name, "calls", columns, postgresql_where=sa.text(where), sqlite_where=sa.text(where)
    )


def upgrade() -> None:
    for name, columns, where in INDEXES:
        op.drop_index(name, table_name="calls")
        _partial(name, columns, where)
    _partial(*OFFERED)


def downgrade() -> None:
    op.drop_index(OFFERED[0], table_name="calls")
    for name, columns, _where in INDEXES:
        op.drop_index(name, table_name="calls")
        op.create_index(name, "calls", columns)
