"""routing: queue order and state on calls, advisor legs

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.models.base

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("calls", schema=None) as batch_op:
        batch_op.add_column(sa.Column("queue_sid", sa.String(length=34), nullable=True))
        batch_op.add_column(sa.Column("queue_priority", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("queue_sort_at", app.models.base.UtcDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("routing_state", sa.String(length=12), nullable=True))
        batch_op.add_column(sa.Column("assigned_advisor_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_calls_assigned_advisor_id_staff"),
            "staff",
            ["assigned_advisor_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_index(
            "ix_calls_routing_queue",
            ["routing_state", "queue_priority", "queue_sort_at"],
            unique=False,
        )

    op.create_table(
        "call_legs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("call_id", sa.Integer(), nullable=False),
        sa.Column("advisor_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("dial_call_sid", sa.String(length=34), nullable=True),
        sa.Column("started_at", app.models.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("answered_at", app.models.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("ended_at", app.models.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("result", sa.String(length=16), nullable=True),
        sa.Column("recorded", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["call_id"], ["calls.id"], name=op.f("fk_call_legs_call_id_calls"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["advisor_id"],
            ["staff.id"],
            name=op.f("fk_call_legs_advisor_id_staff"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_call_legs")),
    )
    with op.batch_alter_table("call_legs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_call_legs_call_id"), ["call_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_call_legs_advisor_id"), ["advisor_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("call_legs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_call_legs_advisor_id"))
        batch_op.drop_index(batch_op.f("ix_call_legs_call_id"))
    op.drop_table("call_legs")
    with op.batch_alter_table("calls", schema=None) as batch_op:
        batch_op.drop_index("ix_calls_routing_queue")
        batch_op.drop_constraint(
            batch_op.f("fk_calls_assigned_advisor_id_staff"), type_="foreignkey"
        )
        batch_op.drop_column("assigned_advisor_id")
        batch_op.drop_column("routing_state")
        batch_op.drop_column("queue_sort_at")
        batch_op.drop_column("queue_priority")
        batch_op.drop_column("queue_sid")
