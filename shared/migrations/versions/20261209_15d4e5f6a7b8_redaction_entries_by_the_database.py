"""Redactions of the audit trail are made, and recorded, by the database alone.

Until now the application redacted a row through `audit_redact(row, keys, redact_actor)`,
with keys of its choosing, and wrote the `audit.redacted` entry the chain walk trusts itself,
as an ordinary audit row. So the application's role could replace any top-level value of any
sealed row with "[redacted]" (a status, a decision's reasons) and write an entry that made the
walk accept it. Now:

- `audit_redact_rows(rows, keys, redact_actor, actor)` redacts only the personal keys (a fixed
  list: the account's identity, an address, the bureau's figures), computes each row's digest
  of its new content (sha256 of `audit_canonical`, as `shared.audit.chain.content_digest`)
  and writes the `audit.redacted` entry itself, as the table's owner;
- a trigger refuses an `audit.redacted` row from anyone but the owner;
- `audit_redact` is gone.

Revision ID: 15d4e5f6a7b8
Revises: 15c3d4e5f6a7
Create Date: 2026-12-09 12:00:00.000000

"""

from collections.abc import Sequence

from alembic import op

# revision identifiers, used by Alembic.
revision: str = "15d4e5f6a7b8"
down_revision: str | Sequence[str] | None = "15c3d4e5f6a7"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

APP_ROLE = "credit_app"
SIGNATURE = "audit_redact_rows(bigint[], text[], boolean, text)"

REDACT_ROWS = """
CREATE FUNCTION audit_redact_rows(
  targets bigint[], keys text[], redact_actor boolean, by_actor text
) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
  personal text[] := ARRAY[
    'username', 'email', 'full_name', 'address',
    'credit_score', 'delinquencies_24m', 'bankruptcies_7y'
  ];
  redacting text[] := ARRAY(SELECT unnest(keys) INTERSECT SELECT unnest(personal));
  recorded jsonb;
  redacted integer;
BEGIN
  UPDATE audit_logs SET
    actor = CASE WHEN redact_actor AND actor_id IS NOT NULL THEN 'anonymised' ELSE actor END,
    before = audit_redact_json(before, redacting),
    after = audit_redact_json(after, redacting),
    details = audit_redact_json(details, redacting)
  WHERE id = ANY(targets) AND row_hash IS NOT NULL;
  SELECT count(*), jsonb_agg(
           jsonb_build_array(
             a.id, a.row_hash, encode(sha256(convert_to(audit_canonical(a), 'UTF8')), 'hex')
           ) ORDER BY a.id
         )
    INTO redacted, recorded
    FROM audit_logs a
   WHERE a.id = ANY(targets) AND a.row_hash IS NOT NULL;
  IF redacted > 0 THEN
    INSERT INTO audit_logs (actor, action, entity_type, details)
    VALUES (by_actor, 'audit.redacted', 'audit_log', jsonb_build_object('rows', recorded));
  END IF;
  RETURN redacted;
END $$;

CREATE FUNCTION audit_redaction_guard() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, public AS $$
BEGIN
  IF NOT pg_has_role(
    current_user, (SELECT relowner FROM pg_class WHERE oid = 'audit_logs'::regclass), 'MEMBER'
  ) THEN
    RAISE EXCEPTION 'audit.redacted entries are written by audit_redact_rows only'
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END $$;

CREATE TRIGGER audit_logs_redaction_guard BEFORE INSERT ON audit_logs
FOR EACH ROW WHEN (NEW.action = 'audit.redacted') EXECUTE FUNCTION audit_redaction_guard();
"""

OLD_REDACT = """
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
    op.execute("DROP FUNCTION audit_redact(bigint, text[], boolean)")
    op.execute(REDACT_ROWS)
    op.execute(f"REVOKE ALL ON FUNCTION {SIGNATURE} FROM PUBLIC")
    op.execute(f"GRANT EXECUTE ON FUNCTION {SIGNATURE} TO {APP_ROLE}")


def downgrade() -> None:
    op.execute("DROP TRIGGER audit_logs_redaction_guard ON audit_logs")
    op.execute("DROP FUNCTION audit_redaction_guard()")
    op.execute(f"DROP FUNCTION {SIGNATURE}")
    op.execute(OLD_REDACT)
    op.execute("REVOKE ALL ON FUNCTION audit_redact(bigint, text[], boolean) FROM PUBLIC")
    op.execute(f"GRANT EXECUTE ON FUNCTION audit_redact(bigint, text[], boolean) TO {APP_ROLE}")
