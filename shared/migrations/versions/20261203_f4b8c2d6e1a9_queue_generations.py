"""Remember when each queue was created, so the relay can tell a queue its broker lost.

See shared.messaging.recovery: a queue newer than the one last seen gets again the events
the old one held and its consumer never processed.

Revision ID: f4b8c2d6e1a9
Revises: c3d9e1f2a7b4
Create Date: 2026-12-03 09:00:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "f4b8c2d6e1a9"
down_revision: str | Sequence[str] | None = "c3d9e1f2a7b4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "queue_generations",
        sa.Column("queue", sa.String(length=80), primary_key=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("queue_generations")
