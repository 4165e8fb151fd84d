"""Delegation and out-of-office (issue 13, item 3): staff absences with a delegate, and the
stage's `on_behalf_of` (whose stage a delegate holds, and decided).

Revision ID: 13c3d2e4f5a6
Revises: 13d4c3f5a6b7
Create Date: 2026-12-05 09:00:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "13c3d2e4f5a6"
down_revision: str | Sequence[str] | None = "13d4c3f5a6b7"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "absences",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("delegate_id", sa.Uuid(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancelled_by", sa.Uuid(), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("ends_at > starts_at", name=op.f("ck_absences_window")),
        sa.CheckConstraint("delegate_id <> user_id", name=op.f("ck_absences_not_self")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_absences_user_id_users")),
        sa.ForeignKeyConstraint(
            ["delegate_id"], ["users.id"], name=op.f("fk_absences_delegate_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_absences_created_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["cancelled_by"], ["users.id"], name=op.f("fk_absences_cancelled_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_absences")),
    )
    op.create_index("ix_absences_user_id", "absences", ["user_id"])
    op.create_index("ix_absences_delegate_id", "absences", ["delegate_id"])
    op.create_index(
        "ix_absences_open",
        "absences",
        ["starts_at", "ends_at"],
        postgresql_where=sa.text("ended_at IS NULL"),
    )
    op.add_column("approval_stages", sa.Column("on_behalf_of", sa.Uuid(), nullable=True))
    op.create_foreign_key(
        op.f("fk_approval_stages_on_behalf_of_users"),
        "approval_stages",
        "users",
        ["on_behalf_of"],
        ["id"],
    )


def downgrade() -> None:
    op.drop_constraint(
        op.f("fk_approval_stages_on_behalf_of_users"), "approval_stages", type_="foreignkey"
    )
    op.drop_column("approval_stages", "on_behalf_of")
    op.drop_index("ix_absences_open", table_name="absences")
    op.drop_index("ix_absences_delegate_id", table_name="absences")
    op.drop_index("ix_absences_user_id", table_name="absences")
    op.drop_table("absences")
