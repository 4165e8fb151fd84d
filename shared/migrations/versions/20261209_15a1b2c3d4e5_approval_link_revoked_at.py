"""When an approval link stopped being its stage's current one: the stage was handed to
someone else, or back to the link's own approver with a new link. A link revoked so never
decides again, even once its approver holds the stage again (before, a link from an earlier
holding came back to life with the stage). Distinct from `used_at`, which says a decision (or
a question) was made with it: the web app tells the two apart.

Revision ID: 15a1b2c3d4e5
Revises: 14c4e7f9a1b3
Create Date: 2026-12-09 09:00:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "15a1b2c3d4e5"
down_revision: str | Sequence[str] | None = "14c4e7f9a1b3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "approval_links", sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True)
    )


def downgrade() -> None:
    op.drop_column("approval_links", "revoked_at")
