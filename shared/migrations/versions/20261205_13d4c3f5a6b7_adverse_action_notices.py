"""Adverse action notices (issue 13 §5): what each declined, incomplete or unaccepted-offer
applicant was told, kept as sent, one per request and action; `sent_at` null until emailed
(the overdue alert counts final adverse decisions without one after 25 days).

Revision ID: 13d4c3f5a6b7
Revises: 13b2e1d3c4f5
Create Date: 2026-12-05 09:00:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision: str = "13d4c3f5a6b7"
down_revision: str | Sequence[str] | None = "13b2e1d3c4f5"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "adverse_action_notices",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column(
            "request_id",
            sa.Uuid(),
            sa.ForeignKey("credit_requests.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("applicant_id", sa.Uuid(), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("reasons", postgresql.JSONB(), nullable=False),
        sa.Column("score", postgresql.JSONB(), nullable=True),
        sa.Column("bureau", postgresql.JSONB(), nullable=False),
        sa.Column("comment", sa.String(length=2000), nullable=True),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint(
            "request_id", "action", name="uq_adverse_action_notices_request_action"
        ),
    )
    op.create_index(
        "ix_adverse_action_notices_unsent",
        "adverse_action_notices",
        ["request_id"],
        postgresql_where=sa.text("sent_at IS NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_adverse_action_notices_unsent", table_name="adverse_action_notices")
    op.drop_table("adverse_action_notices")
