"""Email verification: when each user proved they read their address's mail.

Accounts that exist before this revision were created without verification and have been
in use: they count as verified from now, so nobody already filing requests is stopped.

Revision ID: c3e9a1f4d7b6
Revises: e7a1d2c3b4f5
Create Date: 2026-12-02 10:00:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "c3e9a1f4d7b6"
down_revision: str | Sequence[str] | None = "e7a1d2c3b4f5"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "users", sa.Column("email_verified_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.execute("UPDATE users SET email_verified_at = now()")


def downgrade() -> None:
    op.drop_column("users", "email_verified_at")
