"""An adverse action notice per decision, not per request and action: a request can be
declined automatically twice (declined, its review overturned, then declined again on the
answer to an approver's questions), and the second decline, with its own reasons, must be
noticed too (Reg B 1002.9). A notice now records the decision's time (`decided_at`, the
request's as it was decided), which the uniqueness that keeps a redelivered event from
making a second notice includes.

Revision ID: 15b2c3d4e5f6
Revises: 15a1b2c3d4e5
Create Date: 2026-12-09 10:00:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "15b2c3d4e5f6"
down_revision: str | Sequence[str] | None = "15a1b2c3d4e5"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "adverse_action_notices",
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
    )
    # Every notice so far was the only one of its request and action: the request's decision
    # time where that decision is the one it noticed (made before it), else the notice's own
    # time. A request declined again since its notice keeps its second decline without one,
    # as it truly is, for the overdue alert and the next delivery to put right.
    op.execute(
        "UPDATE adverse_action_notices AS n"
        " SET decided_at = CASE WHEN r.status = n.action AND r.decided_at IS NOT NULL"
        " AND r.decided_at <= n.created_at THEN r.decided_at ELSE n.created_at END"
        " FROM credit_requests AS r WHERE r.id = n.request_id"
    )
    op.alter_column("adverse_action_notices", "decided_at", nullable=False)
    op.drop_constraint(
        "uq_adverse_action_notices_request_action", "adverse_action_notices", type_="unique"
    )
    op.create_unique_constraint(
        "uq_adverse_action_notices_decision",
        "adverse_action_notices",
        ["request_id", "action", "decided_at"],
    )


def downgrade() -> None:
    op.drop_constraint("uq_adverse_action_notices_decision", "adverse_action_notices")
    op.execute(
        "DELETE FROM adverse_action_notices AS n USING adverse_action_notices AS later"
        " WHERE later.request_id = n.request_id AND later.action = n.action"
        " AND later.decided_at > n.decided_at"
    )
    op.create_unique_constraint(
        "uq_adverse_action_notices_request_action",
        "adverse_action_notices",
        ["request_id", "action"],
    )
    op.drop_column("adverse_action_notices", "decided_at")
