"""legal holds, deletion records, calls by start time

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.models.base

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ONE_TARGET = (
    "(CASE WHEN call_id IS NULL THEN 0 ELSE 1 END)"
    " + (CASE WHEN recording_id IS NULL THEN 0 ELSE 1 END)"
    " + (CASE WHEN number IS NULL THEN 0 ELSE 1 END) = 1"
)


def upgrade() -> None:
    op.create_table(
        "legal_holds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("reference", sa.String(length=120), nullable=False),
        sa.Column("call_id", sa.Integer(), nullable=True),
        sa.Column("recording_id", sa.Integer(), nullable=True),
        sa.Column("number", sa.String(length=16), nullable=True),
        sa.Column("created_by", sa.String(length=254), nullable=False),
        sa.Column("created_at", app.models.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("released_at", app.models.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("released_by", sa.String(length=254), nullable=True),
        sa.CheckConstraint(ONE_TARGET, name=op.f("ck_legal_holds_one_target")),
        sa.ForeignKeyConstraint(
            ["call_id"], ["calls.id"], name=op.f("fk_legal_holds_call_id_calls")
        ),
        sa.ForeignKeyConstraint(
            ["recording_id"],
            ["recordings.id"],
            name=op.f("fk_legal_holds_recording_id_recordings"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_legal_holds")),
    )
    op.create_index(op.f("ix_legal_holds_call_id"), "legal_holds", ["call_id"])
    op.create_index(op.f("ix_legal_holds_recording_id"), "legal_holds", ["recording_id"])
    op.create_index(op.f("ix_legal_holds_number"), "legal_holds", ["number"])

    op.create_table(
        "deletion_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("recording_sid", sa.String(length=34), nullable=True),
        sa.Column("call_sid", sa.String(length=34), nullable=True),
        sa.Column("what", sa.String(length=20), nullable=False),
        sa.Column("rule", sa.String(length=60), nullable=False),
        sa.Column("deleted_at", app.models.base.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deletion_records")),
        sa.UniqueConstraint("recording_sid", "what", name="uq_deletion_records_once"),
    )
    op.create_index(op.f("ix_deletion_records_call_sid"), "deletion_records", ["call_sid"])
    op.create_index(op.f("ix_deletion_records_deleted_at"), "deletion_records", ["deleted_at"])
    op.create_index("ix_calls_started_at", "calls", ["started_at"])


def downgrade() -> None:
    op.drop_index("ix_calls_started_at", table_name="calls")
    op.drop_index(op.f("ix_deletion_records_deleted_at"), table_name="deletion_records")
    op.drop_index(op.f("ix_deletion_records_call_sid"), table_name="deletion_records")
    op.drop_table("deletion_records")
    op.drop_index(op.f("ix_legal_holds_number"), table_name="legal_holds")
    op.drop_index(op.f("ix_legal_holds_recording_id"), table_name="legal_holds")
    op.drop_index(op.f("ix_legal_holds_call_id"), table_name="legal_holds")
    op.drop_table("legal_holds")
