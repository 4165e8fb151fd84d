"""Scale (issue 9, P3): who holds a request's current stage, kept on the request row.

The list's `assigned_to=me` filter (an approver's own queue) asked, for each request, "has it
a pending stage assigned to me?" through a subquery on approval_stages. At 1M requests the
plan gathered every pending stage of the approver and sorted their requests: sorted by
amount it took 1.7x its time at 10k, the one list query over the 1.5x target.

A request's chain has at most one pending stage at a time (a stage becomes pending only when
the one before it is approved, and a new round starts after the last ended), so the request
row can carry that stage's assignee: `pending_assignee_id`, null when no stage is pending or
the pending one is not assigned yet. A trigger on approval_stages keeps it in the same
transaction as the stage change, whatever writes it (the API, a queue step, the escalation
and absence schedules, COPY), as the `timed_<role>` flags are (migration 14a2c4e6f8b1); it
locks the request row, which every flow that changes a stage has locked first already.
Two indexes serve the filter under both sorts from the first matching row. No foreign key:
the column is derived from the stage's, which has one.

Revision ID: 14b3d6e8f0a2
Revises: 14a2c4e6f8b1
Create Date: 2026-12-07 09:00:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "14b3d6e8f0a2"
down_revision: str | Sequence[str] | None = "14a2c4e6f8b1"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SORTS = ("created_at", "amount")

MARK = """
CREATE FUNCTION mark_pending_assignee(request uuid) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, public AS $$
DECLARE
    holder uuid;
BEGIN
    SELECT s.assignee_id INTO holder FROM approval_stages s
     WHERE s.request_id = request AND s.status = 'pending'
     ORDER BY s.round DESC, s.level LIMIT 1;
    -- Only when it changes: a second version of the row costs every index a new entry.
    UPDATE credit_requests SET pending_assignee_id = holder
     WHERE id = request AND pending_assignee_id IS DISTINCT FROM holder;
END $$;
"""

# Only a stage that is, or was, pending can change who holds the request: a chain's waiting
# stages inserted, or a decided stage's comment edited, cost nothing more.
STAGE_TRIGGER = """
CREATE FUNCTION mark_pending_assignees() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, public AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.status = 'pending' THEN
        PERFORM mark_pending_assignee(OLD.request_id);
    END IF;
    -- A stage pending before and after, on the same request, was marked just above.
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.status = 'pending'
       AND (TG_OP = 'INSERT' OR OLD.status IS DISTINCT FROM 'pending'
            OR OLD.request_id IS DISTINCT FROM NEW.request_id) THEN
        PERFORM mark_pending_assignee(NEW.request_id);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER approval_stages_pending_assignee_insert_delete
    AFTER INSERT OR DELETE ON approval_stages
    FOR EACH ROW EXECUTE FUNCTION mark_pending_assignees();
CREATE TRIGGER approval_stages_pending_assignee_update
    AFTER UPDATE OF status, assignee_id, request_id ON approval_stages FOR EACH ROW
    WHEN (OLD.status IS DISTINCT FROM NEW.status
          OR OLD.assignee_id IS DISTINCT FROM NEW.assignee_id
          OR OLD.request_id IS DISTINCT FROM NEW.request_id)
    EXECUTE FUNCTION mark_pending_assignees();
"""

BACKFILL = """
UPDATE credit_requests r SET pending_assignee_id = s.assignee_id
  FROM (SELECT DISTINCT ON (request_id) request_id, assignee_id FROM approval_stages
         WHERE status = 'pending' ORDER BY request_id, round DESC, level) s
 WHERE r.id = s.request_id AND s.assignee_id IS NOT NULL
"""


def upgrade() -> None:
    op.add_column("credit_requests", sa.Column("pending_assignee_id", sa.Uuid(), nullable=True))
    # Under an exclusive lock, so no change slips between the backfill and the trigger.
    op.execute("LOCK TABLE credit_requests, approval_stages IN SHARE ROW EXCLUSIVE MODE")
    op.execute(BACKFILL)
    op.execute(MARK)
    op.execute(STAGE_TRIGGER)
    for sort in SORTS:
        op.create_index(
            f"ix_credit_requests_pending_assignee_{sort}",
            "credit_requests",
            ["pending_assignee_id", sort, "id"],
            postgresql_where=sa.text("pending_assignee_id IS NOT NULL"),
        )


def downgrade() -> None:
    for sort in SORTS:
        op.drop_index(f"ix_credit_requests_pending_assignee_{sort}", table_name="credit_requests")
    op.execute("DROP TRIGGER approval_stages_pending_assignee_update ON approval_stages")
    op.execute("DROP TRIGGER approval_stages_pending_assignee_insert_delete ON approval_stages")
    op.execute("DROP FUNCTION mark_pending_assignees()")
    op.execute("DROP FUNCTION mark_pending_assignee(uuid)")
    op.drop_column("credit_requests", "pending_assignee_id")
