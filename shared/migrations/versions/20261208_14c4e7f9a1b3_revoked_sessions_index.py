"""The sessions revoked lately, found from an index: restoring the token deny-list after Redis
lost it (shared.auth.service.restore_deny_list) asks for every refresh-token family revoked
within an access token's lifetime, which without it scanned every refresh token ever issued.
Partial: only revoked tokens, a small share of the table.

Revision ID: 14c4e7f9a1b3
Revises: 14b3d6e8f0a2
Create Date: 2026-12-08 09:00:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "14c4e7f9a1b3"
down_revision: str | Sequence[str] | None = "14b3d6e8f0a2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_refresh_tokens_revoked_at",
        "refresh_tokens",
        ["revoked_at"],
        postgresql_where=sa.text("revoked_at IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_refresh_tokens_revoked_at", table_name="refresh_tokens")
