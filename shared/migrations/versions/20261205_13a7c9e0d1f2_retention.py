"""Retention: anonymise an applicant's personal data 25 months after the decision, keeping
the decision and a verifiable audit trail.

- `credit_requests.anonymised_at`, `users.anonymised_at`: what the retention job has done.
  The bureau's figures (`credit_score`, `delinquencies_24m`, `bankruptcies_7y`) may now be
  null: removed with the rest of the bureau report.
- `retention_runs`: one row per run (dry or not) with its counts.
- `audit_redact(row, keys, redact_actor)`: the only way the application changes an audit row.
  It may only replace the named top-level keys of `before`/`after`/`details` with
  "[redacted]" and the actor's label with "anonymised"; nothing else. The application role
  still has no UPDATE on `audit_logs`. The retention job records, in the same transaction, an
  `audit.redacted` entry with each redacted row's hash and the digest of its new content, which
  is what `shared.audit.chain.verify` checks such a row against.

Revision ID: 13a7c9e0d1f2
Revises: 9d3e5a7c1b20
Create Date: 2026-12-05 09:00:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision: str = "13a7c9e0d1f2"
down_revision: str | Sequence[str] | None = "9d3e5a7c1b20"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

APP_ROLE = "credit_app"
BUREAU_FIGURES = ("credit_score", "delinquencies_24m", "bankruptcies_7y")

REDACT_FUNCTIONS = """
CREATE FUNCTION audit_redact_json(j jsonb, keys text[]) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog, public AS $$
DECLARE
  k text;
BEGIN
  IF j IS NULL OR jsonb_typeof(j) <> 'object' THEN
    RETURN j;
  END IF;
  FOREACH k IN ARRAY keys LOOP
    IF j ? k AND j -> k <> 'null'::jsonb THEN
      j := jsonb_set(j, ARRAY[k], '"[redacted]"'::jsonb);
    END IF;
  END LOOP;
  RETURN j;
END $$;

CREATE FUNCTION audit_redact(target bigint, keys text[], redact_actor boolean) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
  UPDATE audit_logs SET
    actor = CASE WHEN redact_actor AND actor_id IS NOT NULL THEN 'anonymised' ELSE actor END,
    before = audit_redact_json(before, keys),
    after = audit_redact_json(after, keys),
    details = audit_redact_json(details, keys)
  WHERE id = target AND row_hash IS NOT NULL;
END $$;
"""


def upgrade() -> None:
    op.add_column(
        "credit_requests", sa.Column("anonymised_at", sa.DateTime(timezone=True), nullable=True)
    )
    for column in BUREAU_FIGURES:
        op.alter_column("credit_requests", column, existing_type=sa.Integer(), nullable=True)
    op.add_column("users", sa.Column("anonymised_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "retention_runs",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("cutoff", sa.DateTime(timezone=True), nullable=False),
        sa.Column("dry_run", sa.Boolean(), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("counts", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    )
    op.create_index("ix_retention_runs_started", "retention_runs", ["started_at", "id"])
    op.execute(REDACT_FUNCTIONS)
    op.execute("REVOKE ALL ON FUNCTION audit_redact(bigint, text[], boolean) FROM PUBLIC")
    op.execute(f"GRANT EXECUTE ON FUNCTION audit_redact(bigint, text[], boolean) TO {APP_ROLE}")


def downgrade() -> None:
    op.execute("DROP FUNCTION audit_redact(bigint, text[], boolean)")
    op.execute("DROP FUNCTION audit_redact_json(jsonb, text[])")
    op.drop_index("ix_retention_runs_started", table_name="retention_runs")
    op.drop_table("retention_runs")
    op.drop_column("users", "anonymised_at")
    for column in BUREAU_FIGURES:
        op.execute(f"UPDATE credit_requests SET {column} = 0 WHERE {column} IS NULL")
        op.alter_column("credit_requests", column, existing_type=sa.Integer(), nullable=False)
    op.drop_column("credit_requests", "anonymised_at")
