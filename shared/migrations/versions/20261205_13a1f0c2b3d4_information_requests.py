"""Request more information: the rounds of questions and answers, and approval rounds.

`information_requests` keeps each round an approver opened (questions, the applicant's answer,
the fields it amended, how it ended). `approval_stages.round` lets an amended request whose
approval chain changed get a new chain from level 1, beside the earlier round's stages: the
unique key becomes (request_id, round, level).

Revision ID: 13a1f0c2b3d4
Revises: 13f6a5b7c8d9
Create Date: 2026-12-05 09:00:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision: str = "13a1f0c2b3d4"
down_revision: str | Sequence[str] | None = "13f6a5b7c8d9"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "approval_stages",
        sa.Column("round", sa.Integer(), server_default=sa.text("1"), nullable=False),
    )
    op.drop_constraint("uq_approval_stages_request_id", "approval_stages", type_="unique")
    op.create_unique_constraint(
        "uq_approval_stages_request_id", "approval_stages", ["request_id", "round", "level"]
    )
    op.create_table(
        "information_requests",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("request_id", sa.Uuid(), nullable=False),
        sa.Column("stage_id", sa.Uuid(), nullable=False),
        sa.Column("asked_by", sa.Uuid(), nullable=False),
        sa.Column("asked_via", sa.String(length=16), nullable=False),
        sa.Column("questions", sa.Text(), nullable=False),
        sa.Column("asked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answered_by", sa.Uuid(), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("amendments", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resume_link_id", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["credit_requests.id"],
            name=op.f("fk_information_requests_request_id_credit_requests"),
        ),
        sa.ForeignKeyConstraint(
            ["stage_id"],
            ["approval_stages.id"],
            name=op.f("fk_information_requests_stage_id_approval_stages"),
        ),
        sa.ForeignKeyConstraint(
            ["asked_by"], ["users.id"], name=op.f("fk_information_requests_asked_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["answered_by"], ["users.id"], name=op.f("fk_information_requests_answered_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["resume_link_id"],
            ["approval_links.id"],
            name=op.f("fk_information_requests_resume_link_id_approval_links"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_information_requests")),
    )
    op.create_index(
        op.f("ix_information_requests_request_id"),
        "information_requests",
        ["request_id"],
        unique=False,
    )
    op.create_index(
        "uq_information_requests_open",
        "information_requests",
        ["request_id"],
        unique=True,
        postgresql_where=sa.text("closed_at IS NULL"),
    )
    op.create_index(
        "ix_information_requests_open_due",
        "information_requests",
        ["due_at"],
        unique=False,
        postgresql_where=sa.text("closed_at IS NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_information_requests_open_due", table_name="information_requests")
    op.drop_index("uq_information_requests_open", table_name="information_requests")
    op.drop_index(op.f("ix_information_requests_request_id"), table_name="information_requests")
    op.drop_table("information_requests")
    op.drop_constraint("uq_approval_stages_request_id", "approval_stages", type_="unique")
    op.create_unique_constraint(
        "uq_approval_stages_request_id", "approval_stages", ["request_id", "level"]
    )
    op.drop_column("approval_stages", "round")
