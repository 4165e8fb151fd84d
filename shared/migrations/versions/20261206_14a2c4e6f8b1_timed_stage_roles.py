"""Scale (issue 9, P3): which roles decided a stage of a request, kept on the request row.

The list's `stage_role` filter (the dashboard's bar for a role) asked, for each request, "has
it a stage of this role, assigned and decided?" through a subquery on approval_stages. At 1M
requests, `stage_role=manager` sorted by ascending amount took 1.7 s: the plan walked the
amount index from the smallest amount and probed each request's stages, and no small request
has a manager stage (the chain reaches a manager from 50,000).

Each request now carries one flag per dashboard role (`timed_analyst`, `timed_manager`,
`timed_director`, `timed_admin`), kept by a trigger on approval_stages in the same
transaction as the stage change, whatever writes it (the API, a queue step, COPY), as the
/stats totals are (migration 9d3e5a7c1b20). Partial indexes per role serve both sorts
(created_at, amount) from the first matching row. The filter names the flag column itself,
so the planner can match a partial index's predicate whatever the query's parameters.

Revision ID: 14a2c4e6f8b1
Revises: 13e5b4a6b7c8
Create Date: 2026-12-06 09:00:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "14a2c4e6f8b1"
down_revision: str | Sequence[str] | None = "13e5b4a6b7c8"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ROLES = ("analyst", "manager", "director", "admin")
TIMED = "{r}.assigned_at IS NOT NULL AND {r}.decided_at IS NOT NULL"
SORTS = ("created_at", "amount")


def _set(role_var: str, value: str) -> str:
    return ", ".join(
        f"timed_{role} = CASE WHEN {role_var} = '{role}' THEN {value} ELSE timed_{role} END"
        for role in ROLES
    )


def _current(role_var: str) -> str:
    whens = " ".join(f"WHEN '{role}' THEN timed_{role}" for role in ROLES)
    return f"CASE {role_var} {whens} END"


MARK = f"""
CREATE FUNCTION mark_timed_role(request uuid, stage_role varchar) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, public AS $$
DECLARE
    timed boolean;
BEGIN
    IF stage_role NOT IN ({", ".join(f"'{role}'" for role in ROLES)}) THEN
        RETURN;  -- a role a policy defines: the dashboard does not time it
    END IF;
    timed := EXISTS (SELECT 1 FROM approval_stages s
                      WHERE s.request_id = request AND s.role = stage_role
                        AND {TIMED.format(r="s")});
    -- Only when it changes: a second version of the row costs every index a new entry.
    UPDATE credit_requests SET {_set("stage_role", "timed")}
     WHERE id = request AND {_current("stage_role")} IS DISTINCT FROM timed;
END $$;
"""

# Only a stage that is, or was, assigned and decided can change a flag: a chain being built
# (stages inserted undecided) costs nothing more.
STAGE_TRIGGER = f"""
CREATE FUNCTION mark_timed_roles() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, public AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND {TIMED.format(r="OLD")} THEN
        PERFORM mark_timed_role(OLD.request_id, OLD.role);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND {TIMED.format(r="NEW")} THEN
        PERFORM mark_timed_role(NEW.request_id, NEW.role);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER approval_stages_timed_roles_insert_delete
    AFTER INSERT OR DELETE ON approval_stages
    FOR EACH ROW EXECUTE FUNCTION mark_timed_roles();
CREATE TRIGGER approval_stages_timed_roles_update
    AFTER UPDATE OF assigned_at, decided_at, role, request_id ON approval_stages FOR EACH ROW
    WHEN (OLD.assigned_at IS DISTINCT FROM NEW.assigned_at
          OR OLD.decided_at IS DISTINCT FROM NEW.decided_at
          OR OLD.role IS DISTINCT FROM NEW.role OR OLD.request_id IS DISTINCT FROM NEW.request_id)
    EXECUTE FUNCTION mark_timed_roles();
"""

BACKFILL = f"""
UPDATE credit_requests r SET {", ".join(f"timed_{role} = t.{role}" for role in ROLES)}
  FROM (SELECT s.request_id, {", ".join(f"bool_or(s.role = '{role}') AS {role}" for role in ROLES)}
          FROM approval_stages s WHERE {TIMED.format(r="s")}
         GROUP BY s.request_id) t
 WHERE r.id = t.request_id
"""


def upgrade() -> None:
    for role in ROLES:
        op.add_column(
            "credit_requests",
            sa.Column(f"timed_{role}", sa.Boolean(), server_default=sa.false(), nullable=False),
        )
    op.execute(BACKFILL)
    op.execute(MARK)
    op.execute(STAGE_TRIGGER)
    for role in ROLES:
        for sort in SORTS:
            op.create_index(
                f"ix_credit_requests_timed_{role}_{sort}",
                "credit_requests",
                [sort, "id"],
                postgresql_where=sa.text(f"timed_{role}"),
            )


def downgrade() -> None:
    for role in ROLES:
        for sort in SORTS:
            op.drop_index(f"ix_credit_requests_timed_{role}_{sort}", table_name="credit_requests")
    op.execute("DROP TRIGGER approval_stages_timed_roles_update ON approval_stages")
    op.execute("DROP TRIGGER approval_stages_timed_roles_insert_delete ON approval_stages")
    op.execute("DROP FUNCTION mark_timed_roles()")
    op.execute("DROP FUNCTION mark_timed_role(uuid, varchar)")
    for role in ROLES:
        op.drop_column("credit_requests", f"timed_{role}")
