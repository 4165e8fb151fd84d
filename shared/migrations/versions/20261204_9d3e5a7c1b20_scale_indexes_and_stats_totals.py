"""Scale (issue 9 §4): indexes for the list sorts a filter leaves unserved, and running totals
behind /stats, kept by triggers in the same transaction as every change.

At 1M requests the plans (python -m benchmarks.query_plans) showed:
- an applicant's (or a staff `applicant_id=`) list sorted by amount walked the whole amount
  index, filtering by applicant: ix_credit_requests_applicant_amount;
- one status sorted by amount likewise: ix_credit_requests_status_amount;
- the approver inbox walked every pending stage in due order, filtering by assignee:
  ix_approval_stages_assignee_status_due, which also serves what
  ix_approval_stages_assignee_status did (it is its prefix), so that one goes;
- /stats aggregated every request and stage: it now reads request_day_totals (requests and
  amount per UTC day of submission and status) and stage_role_totals and
  stage_timing_buckets (decided stages per request's UTC day, status and role, and a histogram of
  their assignment-to-decision seconds, 1 % wide buckets, for the median).

Triggers keep the totals: whatever writes the rows (the API, a queue step, COPY) counts.
Each total is split into SLOTS rows picked by transaction id, as the audit chains are: a
transaction holds its total's row lock until it commits, and one row per day and status
would make every concurrent submission of the day wait on the one before it.

Revision ID: 9d3e5a7c1b20
Revises: f4b8c2d6e1a9
Create Date: 2026-12-04 09:00:00.000000

"""

from collections.abc import Sequence

from alembic import op

# revision identifiers, used by Alembic.
revision: str = "9d3e5a7c1b20"
down_revision: str | Sequence[str] | None = "f4b8c2d6e1a9"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SLOTS = 16
SLOT = f"(pg_current_xact_id()::text::bigint % {SLOTS})::smallint"
# ln(1 + seconds) * 100: each bucket spans 1 % of its value; the median reads as its middle.
BUCKET = "floor(ln(1 + greatest({s}, 0)) * 100)::integer"
TIMED = "{r}.assigned_at IS NOT NULL AND {r}.decided_at IS NOT NULL"
ELAPSED = "extract(epoch FROM {r}.decided_at - {r}.assigned_at)::double precision"

# A request's status or day changing moves its decided stages' totals along with it.
REQUEST_TRIGGER = f"""
CREATE FUNCTION count_request_day() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, public AS $$
DECLARE
    old_day date;
    new_day date;
    moved record;
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        old_day := (OLD.created_at AT TIME ZONE 'UTC')::date;
        INSERT INTO request_day_totals AS t (day, status, slot, requests, amount)
        VALUES (old_day, OLD.status, {SLOT}, -1, -OLD.amount)
        ON CONFLICT (day, status, slot) DO UPDATE
        SET requests = t.requests - 1, amount = t.amount - OLD.amount;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        new_day := (NEW.created_at AT TIME ZONE 'UTC')::date;
        INSERT INTO request_day_totals AS t (day, status, slot, requests, amount)
        VALUES (new_day, NEW.status, {SLOT}, 1, NEW.amount)
        ON CONFLICT (day, status, slot) DO UPDATE
        SET requests = t.requests + 1, amount = t.amount + NEW.amount;
    END IF;
    IF TG_OP = 'UPDATE' AND (old_day, OLD.status) IS DISTINCT FROM (new_day, NEW.status) THEN
        FOR moved IN
            SELECT s.role, count(*) AS decided, sum({ELAPSED.format(r="s")}) AS seconds
              FROM approval_stages s WHERE s.request_id = NEW.id AND {TIMED.format(r="s")}
             GROUP BY s.role
        LOOP
            {{role_total}}
        END LOOP;
        FOR moved IN
            SELECT s.role, {BUCKET.format(s=ELAPSED.format(r="s"))} AS bucket, count(*) AS decided
              FROM approval_stages s WHERE s.request_id = NEW.id AND {TIMED.format(r="s")}
             GROUP BY 1, 2
        LOOP
            {{bucket_total}}
        END LOOP;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER credit_requests_count_insert_delete AFTER INSERT OR DELETE ON credit_requests
    FOR EACH ROW EXECUTE FUNCTION count_request_day();
CREATE TRIGGER credit_requests_count_update
    AFTER UPDATE OF status, amount, created_at ON credit_requests FOR EACH ROW
    WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.amount IS DISTINCT FROM NEW.amount
          OR OLD.created_at IS DISTINCT FROM NEW.created_at)
    EXECUTE FUNCTION count_request_day();
"""
ROLE_TOTAL = f"""
INSERT INTO stage_role_totals AS t (day, status, role, slot, decided, requests, seconds)
VALUES ({{day}}, {{status}}, {{role}}, {SLOT}, {{sign}}{{decided}}, {{sign}}{{requests}},
        {{sign}}{{seconds}})
ON CONFLICT (day, status, role, slot) DO UPDATE SET decided = t.decided {{sign}} {{decided}},
    requests = t.requests {{sign}} {{requests}}, seconds = t.seconds {{sign}} {{seconds}};"""
BUCKET_TOTAL = f"""
INSERT INTO stage_timing_buckets AS t (day, status, role, bucket, slot, decided)
VALUES ({{day}}, {{status}}, {{role}}, {{bucket}}, {SLOT}, {{sign}}{{decided}})
ON CONFLICT (day, status, role, bucket, slot) DO UPDATE
SET decided = t.decided {{sign}} {{decided}};"""


def _move(template: str, **values: str) -> str:
    """Take a request's stages' totals off its old day and status, and onto its new ones."""
    return "".join(
        template.format(day=day, status=status, sign=sign, **values)
        for day, status, sign in (("old_day", "OLD.status", "-"), ("new_day", "NEW.status", "+"))
    )


REQUEST_TRIGGER = REQUEST_TRIGGER.format(
    role_total=_move(
        ROLE_TOTAL,
        role="moved.role",
        decided="moved.decided",
        requests="1",
        seconds="moved.seconds",
    ),
    bucket_total=_move(
        BUCKET_TOTAL, role="moved.role", bucket="moved.bucket", decided="moved.decided"
    ),
)


def _stage(row: str, sign: str) -> str:
    """Count (+) or uncount (-) one stage `row` (OLD or NEW) under its request's day and
    status, if it is assigned and decided."""
    values = {"day": "request_day", "status": "request_status", "role": f"{row}.role"}
    return f"""
    IF {TIMED.format(r=row)} THEN
        elapsed := {ELAPSED.format(r=row)};
        SELECT (r.created_at AT TIME ZONE 'UTC')::date, r.status INTO request_day, request_status
          FROM credit_requests r WHERE r.id = {row}.request_id;
        alone := (NOT EXISTS (
            SELECT 1 FROM approval_stages s WHERE s.request_id = {row}.request_id
            AND s.role = {row}.role AND {TIMED.format(r="s")} AND s.id <> {row}.id))::integer;
        {BUCKET_TOTAL.format(**values, bucket=BUCKET.format(s="elapsed"), sign=sign, decided="1")}
        {ROLE_TOTAL.format(**values, sign=sign, decided="1", requests="alone", seconds="elapsed")}
    END IF;"""


# BEFORE, not AFTER: "does another timed stage of this role exist on the request" must see
# the rows this statement changed before this one, and not the ones it changes after.
STAGE_TRIGGER = f"""
CREATE FUNCTION count_stage_timing() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, public AS $$
DECLARE
    elapsed double precision;
    alone integer;
    request_day date;
    request_status varchar(32);
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        {_stage("OLD", "-")}
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        {_stage("NEW", "+")}
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER approval_stages_count_insert_delete BEFORE INSERT OR DELETE ON approval_stages
    FOR EACH ROW EXECUTE FUNCTION count_stage_timing();
CREATE TRIGGER approval_stages_count_update
    BEFORE UPDATE OF assigned_at, decided_at, role, request_id ON approval_stages FOR EACH ROW
    WHEN (OLD.assigned_at IS DISTINCT FROM NEW.assigned_at
          OR OLD.decided_at IS DISTINCT FROM NEW.decided_at
          OR OLD.role IS DISTINCT FROM NEW.role OR OLD.request_id IS DISTINCT FROM NEW.request_id)
    EXECUTE FUNCTION count_stage_timing();
"""

BACKFILL = f"""
INSERT INTO request_day_totals (day, status, slot, requests, amount)
SELECT (created_at AT TIME ZONE 'UTC')::date, status, 0, count(*), sum(amount)
FROM credit_requests GROUP BY 1, 2;
INSERT INTO stage_role_totals (day, status, role, slot, decided, requests, seconds)
SELECT (r.created_at AT TIME ZONE 'UTC')::date, r.status, s.role, 0, count(*),
       count(DISTINCT s.request_id), sum({ELAPSED.format(r="s")})
FROM approval_stages s JOIN credit_requests r ON r.id = s.request_id
WHERE {TIMED.format(r="s")} GROUP BY 1, 2, 3;
INSERT INTO stage_timing_buckets (day, status, role, bucket, slot, decided)
SELECT (r.created_at AT TIME ZONE 'UTC')::date, r.status, s.role,
       {BUCKET.format(s=ELAPSED.format(r="s"))}, 0, count(*)
FROM approval_stages s JOIN credit_requests r ON r.id = s.request_id
WHERE {TIMED.format(r="s")} GROUP BY 1, 2, 3, 4;
"""


def upgrade() -> None:
    op.create_index(
        "ix_credit_requests_applicant_amount", "credit_requests", ["applicant_id", "amount", "id"]
    )
    op.create_index(
        "ix_credit_requests_status_amount", "credit_requests", ["status", "amount", "id"]
    )
    op.create_index(
        "ix_approval_stages_assignee_status_due",
        "approval_stages",
        ["assignee_id", "status", "due_at", "id"],
    )
    op.drop_index("ix_approval_stages_assignee_status", table_name="approval_stages")
    op.execute(
        """
        CREATE TABLE request_day_totals (
            day date NOT NULL,
            status varchar(32) NOT NULL,
            slot smallint NOT NULL,
            requests bigint NOT NULL,
            amount numeric(20, 2) NOT NULL,
            CONSTRAINT pk_request_day_totals PRIMARY KEY (day, status, slot)
        );
        CREATE TABLE stage_role_totals (
            day date NOT NULL,
            status varchar(32) NOT NULL,
            role varchar(16) NOT NULL,
            slot smallint NOT NULL,
            decided bigint NOT NULL,
            requests bigint NOT NULL,
            seconds double precision NOT NULL,
            CONSTRAINT pk_stage_role_totals PRIMARY KEY (day, status, role, slot)
        );
        CREATE TABLE stage_timing_buckets (
            day date NOT NULL,
            status varchar(32) NOT NULL,
            role varchar(16) NOT NULL,
            bucket integer NOT NULL,
            slot smallint NOT NULL,
            decided bigint NOT NULL,
            CONSTRAINT pk_stage_timing_buckets PRIMARY KEY (day, status, role, bucket, slot)
        );
        """
    )
    # Under an exclusive lock, so no change slips between the backfill and the triggers.
    op.execute("LOCK TABLE credit_requests, approval_stages IN SHARE ROW EXCLUSIVE MODE")
    op.execute(REQUEST_TRIGGER)
    op.execute(STAGE_TRIGGER)
    op.execute(BACKFILL)


def downgrade() -> None:
    op.execute("DROP TRIGGER approval_stages_count_update ON approval_stages")
    op.execute("DROP TRIGGER approval_stages_count_insert_delete ON approval_stages")
    op.execute("DROP TRIGGER credit_requests_count_update ON credit_requests")
    op.execute("DROP TRIGGER credit_requests_count_insert_delete ON credit_requests")
    op.execute("DROP FUNCTION count_stage_timing()")
    op.execute("DROP FUNCTION count_request_day()")
    op.execute("DROP TABLE stage_timing_buckets, stage_role_totals, request_day_totals")
    op.create_index(
        "ix_approval_stages_assignee_status", "approval_stages", ["assignee_id", "status"]
    )
    op.drop_index("ix_approval_stages_assignee_status_due", table_name="approval_stages")
    op.drop_index("ix_credit_requests_status_amount", table_name="credit_requests")
    op.drop_index("ix_credit_requests_applicant_amount", table_name="credit_requests")
