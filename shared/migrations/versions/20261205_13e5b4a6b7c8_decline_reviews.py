"""Human review of an automatic decline (issue 13 §4, GDPR Art. 22(3)): decline_reviews, one
per credit request, with the applicant's statement, optional corrected data, the decline as it
was, and the reviewer's outcome and rationale.

Revision ID: 13e5b4a6b7c8
Revises: 13c3d2e4f5a6
Create Date: 2026-12-05 09:00:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision: str = "13e5b4a6b7c8"
down_revision: str | Sequence[str] | None = "13c3d2e4f5a6"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "decline_reviews",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("request_id", sa.Uuid(), nullable=False),
        sa.Column("applicant_id", sa.Uuid(), nullable=False),
        sa.Column(
            "requested_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("statement", sa.Text(), nullable=False),
        sa.Column("corrected_data", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("original", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("reviewer_id", sa.Uuid(), nullable=True),
        sa.Column("assigned_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=True),
        sa.Column("rationale", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "outcome IN ('confirmed', 'overturned')", name=op.f("ck_decline_reviews_outcome")
        ),
        sa.CheckConstraint(
            "char_length(statement) BETWEEN 1 AND 4000",
            name=op.f("ck_decline_reviews_statement_length"),
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["credit_requests.id"],
            name=op.f("fk_decline_reviews_request_id_credit_requests"),
        ),
        sa.ForeignKeyConstraint(
            ["applicant_id"], ["users.id"], name=op.f("fk_decline_reviews_applicant_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["reviewer_id"], ["users.id"], name=op.f("fk_decline_reviews_reviewer_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_decline_reviews")),
        sa.UniqueConstraint("request_id", name=op.f("uq_decline_reviews_request_id")),
    )
    op.create_index(
        "ix_decline_reviews_reviewer_decided", "decline_reviews", ["reviewer_id", "decided_at"]
    )
    op.create_index(
        "ix_decline_reviews_open",
        "decline_reviews",
        ["requested_at"],
        postgresql_where=sa.text("decided_at IS NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_decline_reviews_open", table_name="decline_reviews")
    op.drop_index("ix_decline_reviews_reviewer_decided", table_name="decline_reviews")
    op.drop_table("decline_reviews")
