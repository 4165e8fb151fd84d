"""A request's conversation: staff's internal notes and the applicant's and staff's messages
(issue 13, item 7).

`body` is free text written by people: the retention job must scrub it along with the other
free-text columns (the audit trail keeps only its length and hash).

Revision ID: 13f6a5b7c8d9
Revises: 13a7c9e0d1f2
Create Date: 2026-12-05 09:00:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "13f6a5b7c8d9"
down_revision: str | Sequence[str] | None = "13a7c9e0d1f2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "request_messages",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("request_id", sa.Uuid(), nullable=False),
        sa.Column("author_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("clock_timestamp()"),
            nullable=False,
        ),
        sa.CheckConstraint("kind IN ('note', 'message')", name=op.f("ck_request_messages_kind")),
        sa.CheckConstraint(
            "char_length(body) BETWEEN 1 AND 4000", name=op.f("ck_request_messages_body_length")
        ),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_request_messages_author_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["credit_requests.id"],
            name=op.f("fk_request_messages_request_id_credit_requests"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_request_messages")),
    )
    op.create_index(
        "ix_request_messages_request_created",
        "request_messages",
        ["request_id", "created_at", "id"],
    )


def downgrade() -> None:
    op.drop_index("ix_request_messages_request_created", table_name="request_messages")
    op.drop_table("request_messages")
