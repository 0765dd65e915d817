"""access requests hold the calls they match

A request now holds each call it matches (so every recording of the call, present or future)
and lists every recording of those calls. Requests registered before held the recordings they
found: each is linked here to the calls of those recordings, without a hold (their holds stay
on the recordings, and closing the request releases them as before).

Going down drops the links: the holds on calls stay, and must then be released by hand.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "access_request_calls",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("access_request_id", sa.Integer(), nullable=False),
        sa.Column("call_id", sa.Integer(), nullable=False),
        sa.Column("hold_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["access_request_id"],
            ["access_requests.id"],
            name=op.f("fk_access_request_calls_access_request_id_access_requests"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["call_id"], ["calls.id"], name=op.f("fk_access_request_calls_call_id_calls")
        ),
        sa.ForeignKeyConstraint(
            ["hold_id"],
            ["legal_holds.id"],
            name=op.f("fk_access_request_calls_hold_id_legal_holds"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_access_request_calls")),
        sa.UniqueConstraint("access_request_id", "call_id", name="uq_arc_pair"),
    )
    op.execute(
        "INSERT INTO access_request_calls (access_request_id, call_id)"
        " SELECT DISTINCT found.access_request_id, calls.id"
        " FROM access_request_recordings AS found"
        " JOIN recordings ON recordings.id = found.recording_id"
        " JOIN calls ON calls.call_sid = recordings.call_sid"
    )


def downgrade() -> None:
    op.drop_table("access_request_calls")
