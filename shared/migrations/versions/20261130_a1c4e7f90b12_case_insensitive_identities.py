"""Usernames and emails are unique whatever their case: `ADMIN` can no longer register beside
`admin`. Existing clashes are reported and stop the migration: an operator must rename one
account of each pair first (which one is a human decision).

Revision ID: a1c4e7f90b12
Revises: dedc980ac01a
Create Date: 2026-11-30 02:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "a1c4e7f90b12"
down_revision: str | Sequence[str] | None = "dedc980ac01a"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _clashes(column: str) -> list[str]:
    rows = op.get_bind().execute(
        sa.text(
            f"SELECT string_agg({column}, ', ' ORDER BY {column}) FROM users "
            f"GROUP BY lower({column}) HAVING count(*) > 1"
        )
    )
    return [row[0] for row in rows]


def upgrade() -> None:
    clashes = [f"username {c}" for c in _clashes("username")]
    clashes += [f"email {c}" for c in _clashes("email")]
    if clashes:
        raise RuntimeError(
            "Accounts differ only in letter case; rename one of each before migrating: "
            + "; ".join(clashes)
        )
    op.create_index("uq_users_username_lower", "users", [sa.text("lower(username)")], unique=True)
    op.create_index("uq_users_email_lower", "users", [sa.text("lower(email)")], unique=True)


def downgrade() -> None:
    op.drop_index("uq_users_email_lower", table_name="users")
    op.drop_index("uq_users_username_lower", table_name="users")
