"""staff console sessions and sign-in, languages, online access requests, alert outcomes

Adds what the staff console (SPEC §14, §16), the bilingual line (§13), the citizens' form
(§15) and the new access-request and alert rows of §12 need. Every new column is nullable or
has a server default, so existing rows stay valid.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 20:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.models.base

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_DATETIME = app.models.base.UtcDateTime()


def new_columns() -> dict[str, list[sa.Column]]:
    """The columns this revision adds, per table (new objects: a Column joins one table)."""
    return {
        "staff": [
            sa.Column("languages", sa.JSON(), nullable=False, server_default='["en"]'),
            sa.Column("totp_secret", sa.String(64), nullable=True),
            sa.Column("totp_confirmed_at", UTC_DATETIME, nullable=True),
            sa.Column("failed_sign_ins", sa.Integer(), nullable=False, server_default="0"),
            sa.Column("locked_until", UTC_DATETIME, nullable=True),
            sa.Column("deactivated_at", UTC_DATETIME, nullable=True),
        ],
        "calls": [
            sa.Column("language", sa.String(5), nullable=True),
            sa.Column("any_language_since", UTC_DATETIME, nullable=True),
        ],
        "access_requests": [
            sa.Column("channel", sa.String(12), nullable=True),
            sa.Column("language", sa.String(2), nullable=False, server_default="en"),
            sa.Column("contact_email", sa.String(254), nullable=True),
            sa.Column("postal_address", sa.Text(), nullable=True),
            sa.Column("requester_note", sa.Text(), nullable=True),
            sa.Column("submission_digest", sa.String(64), nullable=True),
            sa.Column("paused_at", UTC_DATETIME, nullable=True),
            sa.Column("pause_reason", sa.Text(), nullable=True),
            sa.Column("paused_days", sa.Integer(), nullable=False, server_default="0"),
            sa.Column("refused_at", UTC_DATETIME, nullable=True),
            sa.Column("refusal_ground", sa.String(24), nullable=True),
            sa.Column("refusal_reason", sa.Text(), nullable=True),
        ],
        "privacy_alerts": [
            sa.Column("outcome", sa.String(12), nullable=True),
            sa.Column("outcome_note", sa.Text(), nullable=True),
            sa.Column("closed_by", sa.String(254), nullable=True),
            sa.Column("ico_reported_at", UTC_DATETIME, nullable=True),
            sa.Column("ico_report_note", sa.Text(), nullable=True),
            sa.Column("subject_told_at", UTC_DATETIME, nullable=True),
            sa.Column("subject_told_note", sa.Text(), nullable=True),
        ],
    }


def upgrade() -> None:
    for table, columns in new_columns().items():
        with op.batch_alter_table(table) as batch:
            for column in columns:
                batch.add_column(column)
    op.create_index(
        op.f("ix_access_requests_submission_digest"), "access_requests", ["submission_digest"]
    )
    op.create_table(
        "console_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("last_seen_at", UTC_DATETIME, nullable=False),
        sa.Column("expires_at", UTC_DATETIME, nullable=False),
        sa.Column("second_factor_at", UTC_DATETIME, nullable=True),
        sa.Column("revoked_at", UTC_DATETIME, nullable=True),
        sa.Column("client_address", sa.String(64), nullable=True),
        sa.Column("user_agent", sa.String(300), nullable=True),
        sa.ForeignKeyConstraint(
            ["staff_id"],
            ["staff.id"],
            name=op.f("fk_console_sessions_staff_id_staff"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_console_sessions")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_console_sessions_token_hash")),
    )
    op.create_index(op.f("ix_console_sessions_staff_id"), "console_sessions", ["staff_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_console_sessions_staff_id"), table_name="console_sessions")
    op.drop_table("console_sessions")
    op.drop_index(op.f("ix_access_requests_submission_digest"), table_name="access_requests")
    for table, columns in new_columns().items():
        with op.batch_alter_table(table) as batch:
            for column in reversed(columns):
                batch.drop_column(column.name)
