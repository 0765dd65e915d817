"""the audit chain keyed: each entry says which version of the chain hashed it

Entries written before this migration keep version 1 (SHA-256 of the entry); new entries are
version 2 (HMAC-SHA256 under a key derived from the master key material).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 21:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("audit_entries") as batch:
        batch.add_column(
            sa.Column("chain_version", sa.Integer(), nullable=False, server_default="1")
        )


def downgrade() -> None:
    with op.batch_alter_table("audit_entries") as batch:
        batch.drop_column("chain_version")
