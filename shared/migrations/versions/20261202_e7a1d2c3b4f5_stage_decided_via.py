"""Approval stages record how they were decided: in the app or by the emailed link.

The request page's timeline shows it; until now it was only in the audit trail, from which
this migration fills it in for stages already decided.

Revision ID: e7a1d2c3b4f5
Revises: 5b1f0c7e9a2d
Create Date: 2026-12-02 09:00:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "e7a1d2c3b4f5"
down_revision: str | Sequence[str] | None = "5b1f0c7e9a2d"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("approval_stages", sa.Column("decided_via", sa.String(length=16), nullable=True))
    op.execute(
        """
        UPDATE approval_stages AS s SET decided_via = a.details->>'via'
        FROM audit_logs AS a
        WHERE a.entity_type = 'approval_stage' AND a.entity_id = s.id::text
          AND a.action IN ('stage.approved', 'stage.rejected')
          AND a.details->>'via' IN ('app', 'email_link')
        """
    )


def downgrade() -> None:
    op.drop_column("approval_stages", "decided_via")
