"""The audit chain's append function is the sealing trigger's alone: PostgreSQL lets PUBLIC
execute a new function, and this one runs as its owner and rewrites the chain columns of
whichever row id its argument names. Called directly by the application's role with a row of
its own making, it could give any sealed row a hash of content the row does not hold (a
false tamper alarm) and move a chain's head. The trigger function, running as the owner,
still calls it.

Revision ID: 15c3d4e5f6a7
Revises: 15b2c3d4e5f6
Create Date: 2026-12-09 11:00:00.000000

"""

from collections.abc import Sequence

from alembic import op

# revision identifiers, used by Alembic.
revision: str = "15c3d4e5f6a7"
down_revision: str | Sequence[str] | None = "15b2c3d4e5f6"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("REVOKE ALL ON FUNCTION audit_chain_append(audit_logs) FROM PUBLIC")


def downgrade() -> None:
    op.execute("GRANT EXECUTE ON FUNCTION audit_chain_append(audit_logs) TO PUBLIC")
