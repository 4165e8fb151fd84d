"""Counteroffers (issue 13): the terms a request's final approver approved instead of those
asked for, and whether the applicant accepted, declined or let them lapse.

Revision ID: 13b2e1d3c4f5
Revises: 13a1f0c2b3d4
Create Date: 2026-12-05 09:00:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision: str = "13b2e1d3c4f5"
down_revision: str | Sequence[str] | None = "13a1f0c2b3d4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "offers",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("request_id", sa.Uuid(), nullable=False),
        sa.Column("applicant_id", sa.Uuid(), nullable=False),
        sa.Column("stage_id", sa.Uuid(), nullable=False),
        sa.Column("amount", sa.Numeric(14, 2), nullable=False),
        sa.Column("term_months", sa.Integer(), nullable=False),
        sa.Column("annual_rate", sa.Numeric(7, 6), nullable=False),
        sa.Column("installment", sa.Numeric(14, 2), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("reason_codes", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("made_by", sa.Uuid(), nullable=False),
        sa.Column("made_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("responded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=True),
        sa.CheckConstraint(
            "outcome IN ('accepted', 'declined', 'lapsed')", name=op.f("ck_offers_outcome")
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["credit_requests.id"],
            name=op.f("fk_offers_request_id_credit_requests"),
        ),
        sa.ForeignKeyConstraint(
            ["applicant_id"], ["users.id"], name=op.f("fk_offers_applicant_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["stage_id"], ["approval_stages.id"], name=op.f("fk_offers_stage_id_approval_stages")
        ),
        sa.ForeignKeyConstraint(["made_by"], ["users.id"], name=op.f("fk_offers_made_by_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_offers")),
        sa.UniqueConstraint("request_id", name=op.f("uq_offers_request_id")),
    )
    # The lapse sweep (escalate) reads the open offers by expiry.
    op.create_index(
        "ix_offers_open_expiry",
        "offers",
        ["expires_at"],
        postgresql_where=sa.text("outcome IS NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_offers_open_expiry", table_name="offers")
    op.drop_table("offers")
