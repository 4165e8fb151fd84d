"""The audit chain's per-transaction head setting is only a pointer, checked against the head
row itself.

A transaction's first audit row locks its chain's head; the rest find it through the
transaction-local setting `audit_chain.head` (see c3a9d2e4f1b7). Any session may set that
setting, so the application's role could name a sequence number, a previous hash and a head
of its choosing before its first audit row: its rows were then sealed onto a chain that does
not exist, and the head was moved without its lock (a fork verification reports as broken: a
false tamper alarm). Now the setting only says where the head row is. It is used when that
row's current version was written by this very transaction (so this transaction holds its
lock), and its values are read from the row; otherwise the head is locked as on a
transaction's first row.

Revision ID: 15e6f7a8b9c0
Revises: 15d4e5f6a7b8
Create Date: 2026-12-10 09:00:00.000000

"""

from collections.abc import Sequence

from alembic import op

# revision identifiers, used by Alembic.
revision: str = "15e6f7a8b9c0"
down_revision: str | Sequence[str] | None = "15d4e5f6a7b8"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PARTITIONS = 16


def _append(checked: bool) -> str:
    if checked:
        follow = f"""
    SELECT h.ctid, h.chain_partition, h.last_seq, h.last_hash
      INTO head_ctid, part, seq, prev
      FROM audit_chain_heads h
     WHERE h.ctid = state[5]::tid
       AND h.xmin = pg_current_xact_id()::xid
       AND h.chain_partition = (xid::bigint % {PARTITIONS});
  END IF;
  IF head_ctid IS NULL THEN"""
    else:
        follow = """
    part := state[2]::smallint;
    seq := state[3]::bigint;
    prev := state[4];
    head_ctid := state[5]::tid;
  ELSE"""
    return f"""
CREATE OR REPLACE FUNCTION audit_chain_append(r audit_logs) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
  xid text := pg_current_xact_id()::text;
  state text[] := string_to_array(coalesce(current_setting('audit_chain.head', true), ''), '|');
  head_ctid tid;
  part smallint;
  seq bigint;
  prev text;
BEGIN
  IF cardinality(state) = 5 AND state[1] = xid THEN{follow}
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


def upgrade() -> None:
    # CREATE OR REPLACE keeps the function's privileges (not executable by PUBLIC).
    op.execute(_append(checked=True))


def downgrade() -> None:
    op.execute(_append(checked=False))
