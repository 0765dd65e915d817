"""indexes for the console's holds page, retention report and audit log filters

Found by the console pages bench (SPEC §11: 1,000,000 calls, 100,000 recordings, 10,000 access
requests, 200,000 audit entries in PostgreSQL).

The holds page lists holds in force first, newest first, then released ones: with 100,000
holds it sorted them all for a page of 100. It now reads the newest in force from
`ix_legal_holds_active` (holds in force only), then the newest released by id.

The retention report counts the stored recordings that active holds cover. Access requests
hold every call they match (tens of thousands of active holds on calls); the report reads them
as one set from `ix_legal_holds_active_call` (active holds on calls only), and reads the stored
recordings' due dates, call ids and ids from `ix_recordings_stored_delete_after` alone (on
PostgreSQL; SQLite has no INCLUDE and indexes the due date).

The audit log filtered by day read the log newest first until it reached that day (200,000
entries for a day six months back); filtered by a rare actor, all of it. `ix_audit_entries_at`
and `ix_audit_entries_actor_seq` find those entries directly. The log is append-only: a new
entry goes at the end of the first and at the end of its actor's range in the second.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 01:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | Sequence[str] | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PARTIAL = (  # name, table, columns, condition
    ("ix_legal_holds_active", "legal_holds", ["id"], "released_at IS NULL"),
    (
        "ix_legal_holds_active_call",
        "legal_holds",
        ["call_id"],
        "released_at IS NULL AND call_id IS NOT NULL",
    ),
    ("ix_recordings_stored_delete_after", "recordings", ["delete_after"], "status = 'stored'"),
)
INCLUDE = {"ix_recordings_stored_delete_after": ["call_id", "id"]}  # PostgreSQL only


def upgrade() -> None:
    for name, table, columns, where in PARTIAL:
        op.create_index(
            name,
            table,
            columns,
            postgresql_include=INCLUDE.get(name, []),
            postgresql_where=sa.text(where),
            sqlite_where=sa.text(where),
        )
    op.create_index("ix_audit_entries_at", "audit_entries", ["at"])
    op.create_index("ix_audit_entries_actor_seq", "audit_entries", ["actor", "seq"])


def downgrade() -> None:
    op.drop_index("ix_audit_entries_actor_seq", table_name="audit_entries")
    op.drop_index("ix_audit_entries_at", table_name="audit_entries")
    for name, table, _columns, _where in PARTIAL:
        op.drop_index(name, table_name=table)
