"""Tamper-evident audit log: hash chains sealed at commit, and an application role that cannot
rewrite them.

Each audit row gets the SHA-256 of its canonical content chained to the previous row's hash,
in one of 16 chains whose heads live in `audit_chain_heads`. A deferred constraint trigger
seals a transaction's rows at COMMIT, under the lock of one head row chosen by the
transaction id: the lock is held only for the commit itself and a transaction takes exactly
one, so concurrent writers from any number of processes never deadlock on it. Python's
`shared.audit.chain` computes the same canonical content to verify.

The role `credit_app` (NOLOGIN; the application `SET ROLE`s to it, or production logs in as a
member of it) may read and insert audit rows, never update or delete them; the migrations and
the backup keep running as the owner.

Revision ID: c3a9d2e4f1b7
Revises: c3e9a1f4d7b6
Create Date: 2026-12-02 10:00:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision: str = "c3a9d2e4f1b7"
down_revision: str | Sequence[str] | None = "c3e9a1f4d7b6"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

APP_ROLE = "credit_app"
PARTITIONS = 16

# Sorted keys, compact separators; strings as JSON strings, the timestamp in UTC ISO with
# microseconds, JSONB values as PostgreSQL's own (deterministic) text of them.
CANONICAL = """
CREATE FUNCTION audit_canonical(r audit_logs) RETURNS text
LANGUAGE sql STABLE SET search_path = pg_catalog, public AS $$
  SELECT '{"action":' || to_json(r.action)::text
    || ',"actor":' || to_json(r.actor)::text
    || ',"actor_id":' || coalesce(to_json(r.actor_id::text)::text, 'null')
    || ',"after":' || coalesce(r.after::text, 'null')
    || ',"at":' || to_json(to_char(r.at AT TIME ZONE 'UTC',
                                   'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'))::text
    || ',"before":' || coalesce(r.before::text, 'null')
    || ',"chain_partition":' || r.chain_partition
    || ',"chain_seq":' || r.chain_seq
    || ',"details":' || coalesce(r.details::text, 'null')
    || ',"entity_id":' || coalesce(to_json(r.entity_id)::text, 'null')
    || ',"entity_type":' || to_json(r.entity_type)::text
    || ',"id":' || r.id
    || '}'
$$
"""

# A transaction's first row locks its chain's head; the rest of its rows find the head in a
# transaction-local setting and update it by its physical address: updating one row many
# times in one transaction leaves a chain of versions a key lookup would walk every time
# (quadratic in the rows a bulk load writes).
APPEND = f"""
CREATE FUNCTION audit_chain_append(r audit_logs) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
  xid text := pg_current_xact_id()::text;
  state text[] := string_to_array(coalesce(current_setting('audit_chain.head', true), ''), '|');
  head_ctid tid;
  part smallint;
  seq bigint;
  prev text;
BEGIN
  IF cardinality(state) = 5 AND state[1] = xid THEN
    part := state[2]::smallint;
    seq := state[3]::bigint;
    prev := state[4];
    head_ctid := state[5]::tid;
  ELSE
    -- One chain per transaction: every row it wrote waits on the same head, none other.
    SELECT h.ctid, h.chain_partition, h.last_seq, h.last_hash
      INTO head_ctid, part, seq, prev
      FROM audit_chain_heads h
     WHERE h.chain_partition = (xid::bigint % {PARTITIONS})
       FOR UPDATE;
  END IF;
  r.chain_partition := part;
  r.chain_seq := seq + 1;
  r.prev_hash := prev;
  r.row_hash := encode(sha256(convert_to(prev || audit_canonical(r), 'UTF8')), 'hex');
  UPDATE audit_logs
     SET chain_partition = r.chain_partition, chain_seq = r.chain_seq,
         prev_hash = r.prev_hash, row_hash = r.row_hash
   WHERE id = r.id;
  UPDATE audit_chain_heads
     SET last_seq = r.chain_seq, last_hash = r.row_hash, last_id = r.id
   WHERE ctid = head_ctid
  RETURNING ctid INTO head_ctid;
  PERFORM set_config(
    'audit_chain.head', concat_ws('|', xid, part, r.chain_seq, r.row_hash, head_ctid), true
  );
END
$$
"""

SEAL = """
CREATE FUNCTION audit_chain_seal() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
  PERFORM audit_chain_append(NEW);
  RETURN NULL;
END
$$
"""

BACKFILL = """
DO $$
DECLARE
  r audit_logs%ROWTYPE;
BEGIN
  FOR r IN SELECT * FROM audit_logs ORDER BY id LOOP
    PERFORM audit_chain_append(r);
  END LOOP;
END
$$
"""


def upgrade() -> None:
    op.add_column("audit_logs", sa.Column("chain_partition", sa.SmallInteger(), nullable=True))
    op.add_column("audit_logs", sa.Column("chain_seq", sa.BigInteger(), nullable=True))
    op.add_column("audit_logs", sa.Column("prev_hash", sa.String(length=64), nullable=True))
    op.add_column("audit_logs", sa.Column("row_hash", sa.String(length=64), nullable=True))
    op.add_column(
        "backups",
        sa.Column("chain_heads", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    )
    op.create_table(
        "audit_chain_heads",
        sa.Column("chain_partition", sa.SmallInteger(), nullable=False),
        sa.Column("last_seq", sa.BigInteger(), nullable=False),
        sa.Column("last_hash", sa.String(length=64), nullable=False),
        sa.Column("last_id", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("chain_partition", name=op.f("pk_audit_chain_heads")),
    )
    op.execute(
        "INSERT INTO audit_chain_heads (chain_partition, last_seq, last_hash) "
        f"SELECT p, 0, repeat('0', 64) FROM generate_series(0, {PARTITIONS - 1}) AS p"
    )
    op.execute(CANONICAL)
    op.execute(APPEND)
    op.execute(SEAL)
    op.execute(BACKFILL)
    op.execute(
        "CREATE CONSTRAINT TRIGGER audit_logs_chain AFTER INSERT ON audit_logs "
        "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION audit_chain_seal()"
    )

    # Roles are per cluster: another database of the same server may have made it already.
    op.execute(
        f"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{APP_ROLE}') "
        f"THEN CREATE ROLE {APP_ROLE} NOLOGIN; END IF; END $$"
    )
    op.execute(f"GRANT USAGE ON SCHEMA public TO {APP_ROLE}")
    op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {APP_ROLE}")
    op.execute(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {APP_ROLE}")
    op.execute(f"REVOKE UPDATE, DELETE, TRUNCATE ON audit_logs FROM {APP_ROLE}")
    op.execute(f"REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON audit_chain_heads FROM {APP_ROLE}")
    op.execute(f"REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON alembic_version FROM {APP_ROLE}")
    # Tables later migrations create (run by the same owner) are the application's too.
    op.execute(
        "ALTER DEFAULT PRIVILEGES IN SCHEMA public "
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {APP_ROLE}"
    )
    op.execute(
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO {APP_ROLE}"
    )


def downgrade() -> None:
    op.execute(
        "ALTER DEFAULT PRIVILEGES IN SCHEMA public "
        f"REVOKE SELECT, INSERT, UPDATE, DELETE ON TABLES FROM {APP_ROLE}"
    )
    op.execute(
        "ALTER DEFAULT PRIVILEGES IN SCHEMA public "
        f"REVOKE USAGE, SELECT ON SEQUENCES FROM {APP_ROLE}"
    )
    op.execute(f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {APP_ROLE}")
    op.execute(f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM {APP_ROLE}")
    op.execute(f"REVOKE USAGE ON SCHEMA public FROM {APP_ROLE}")
    # The role itself stays: other databases of the cluster may still use it.
    op.execute("DROP TRIGGER audit_logs_chain ON audit_logs")
    op.execute("DROP FUNCTION audit_chain_seal()")
    op.execute("DROP FUNCTION audit_chain_append(audit_logs)")
    op.execute("DROP FUNCTION audit_canonical(audit_logs)")
    op.drop_table("audit_chain_heads")
    op.drop_column("backups", "chain_heads")
    for column in ("row_hash", "prev_hash", "chain_seq", "chain_partition"):
        op.drop_column("audit_logs", column)
