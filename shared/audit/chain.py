"""The audit log's hash chains: how a row's hash is computed, and the walk that checks them.

The database seals each row when its transaction commits (migration c3a9d2e4f1b7): it picks
one of `PARTITIONS` chains, numbers the row `chain_seq` in it, stores the previous row's hash
as `prev_hash` and `row_hash = sha256(prev_hash + canonical(row))`. `canonical` here is the
same text, computed independently from the row's values, so an edited field, a deleted or
inserted row, or a reordered chain no longer verifies. `audit_chain_heads` holds each chain's
last row; a deleted tail shows against it, and a backup stores the heads to anchor a restore.

Redaction (the retention job, `shared.retention`): personal data in a sealed row may be
replaced by "[redacted]" (the database function `audit_redact_rows`, the only change the
application may make to a row, and only to personal keys). Its content then no longer gives
its sealed hash, so the function records an `audit.redacted` entry, itself chained, naming
each redacted row with its sealed hash and the digest of its new content (`content_digest`,
computed in SQL alike); a trigger refuses such an entry from anyone else. The walk checks such a
row against that entry: its place in the chain still by the sealed hash, its content by the
digest. Any other change to it, or a redaction without its entry, still breaks the chain.
"""

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import groupby
from typing import Any

from sqlalchemy import Connection, Engine, text

PARTITIONS = 16
GENESIS = "0" * 64

# JSONB fields are read as PostgreSQL's text of them: that text is what the seal hashed.
_ROWS = text(
    "SELECT id, at, actor_id, actor, action, entity_type, entity_id,"
    " before::text AS before, after::text AS after, details::text AS details,"
    " chain_partition, chain_seq, prev_hash, row_hash"
    " FROM audit_logs ORDER BY chain_partition, chain_seq, id"
)
_UNSEALED = text(
    "SELECT id FROM audit_logs WHERE chain_partition IS NULL OR chain_seq IS NULL"
    " OR row_hash IS NULL OR prev_hash IS NULL OR chain_partition NOT BETWEEN 0 AND :last"
    " ORDER BY id LIMIT 1"
)
_REDACTIONS = text(
    "SELECT details::text AS details FROM audit_logs WHERE action = :action ORDER BY id"
)
REDACTION_ACTION = "audit.redacted"
_HEADS = text(
    "SELECT chain_partition, last_seq, last_hash, last_id FROM audit_chain_heads"
    " ORDER BY chain_partition"
)


_quote = json.encoder.encode_basestring  # json.dumps(str, ensure_ascii=False), in C


def _string(value: object) -> str:
    return "null" if value is None else _quote(str(value))


def canonical(row: Any) -> str:
    """The row's content as the seal hashes it: sorted keys, compact separators, the time in
    UTC ISO 8601 with microseconds, JSONB fields as PostgreSQL's text of them."""
    at: datetime = row.at
    # The keys in sorted order, written out: this runs for every row of a verification.
    return (
        f'{{"action":{_string(row.action)},"actor":{_string(row.actor)}'
        f',"actor_id":{_string(row.actor_id)},"after":{row.after or "null"}'
        f',"at":"{at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")}"'
        f',"before":{row.before or "null"},"chain_partition":{row.chain_partition}'
        f',"chain_seq":{row.chain_seq},"details":{row.details or "null"}'
        f',"entity_id":{_string(row.entity_id)},"entity_type":{_string(row.entity_type)}'
        f',"id":{row.id}}}'
    )


def row_hash(prev_hash: str, row: Any) -> str:
    """The hash the seal stores for `row` after the row whose hash is `prev_hash`."""
    return hashlib.sha256((prev_hash + canonical(row)).encode()).hexdigest()


def content_digest(row: Any) -> str:
    """The digest of a redacted row's content, as its `audit.redacted` entry records it."""
    return hashlib.sha256(canonical(row).encode()).hexdigest()


@dataclass(frozen=True)
class Redaction:
    """What an `audit.redacted` entry says of one row: its sealed hash, its content since."""

    row_hash: str
    content_digest: str


def redactions(conn: Connection) -> dict[int, Redaction]:
    """Every redacted row's id and what its redaction entry recorded of it."""
    found: dict[int, Redaction] = {}
    for (details,) in conn.execute(_REDACTIONS, {"action": REDACTION_ACTION}):
        for row_id, sealed, digest in json.loads(details)["rows"]:
            found[int(row_id)] = Redaction(sealed, digest)
    return found


@dataclass(frozen=True)
class Head:
    partition: int
    seq: int
    hash: str
    last_id: int | None

    def as_json(self) -> dict[str, Any]:
        return {
            "partition": self.partition,
            "seq": self.seq,
            "hash": self.hash,
            "last_id": self.last_id,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Head":
        return cls(int(data["partition"]), int(data["seq"]), str(data["hash"]), data["last_id"])


@dataclass(frozen=True)
class Break:
    """The first row where a chain stops verifying, and what the walk expected there."""

    id: int | None
    partition: int | None
    seq: int | None
    reason: str
    expected: str
    found: str


@dataclass(frozen=True)
class Verification:
    rows_checked: int
    heads: list[Head]
    broken: Break | None

    @property
    def ok(self) -> bool:
        return self.broken is None


def heads(conn: Connection) -> list[Head]:
    """Every chain's head, by partition, as the connection's transaction sees them."""
    return [Head(int(p), int(s), str(h), i) for p, s, h, i in conn.execute(_HEADS)]


def _walk(
    partition: int,
    rows: Iterable[Any],
    head: Head,
    anchor: Head | None,
    redacted: dict[int, Redaction],
) -> tuple[int, Break | None]:
    expected_seq, expected_prev, checked, last_id = 1, GENESIS, 0, None
    for row in rows:
        checked += 1

        def broken(reason: str, expected: object, found: object, row: Any = row) -> Break:
            return Break(row.id, partition, row.chain_seq, reason, str(expected), str(found))

        if row.chain_seq != expected_seq:
            # A gap is a deleted row; a repeat, an inserted one.
            return checked, broken("sequence", expected_seq, row.chain_seq)
        if row.prev_hash != expected_prev:
            return checked, broken("prev_hash", expected_prev, row.prev_hash)
        redaction = redacted.get(row.id)
        if redaction is not None:
            if row.row_hash != redaction.row_hash:
                return checked, broken("redacted row's hash", redaction.row_hash, row.row_hash)
            digest = content_digest(row)
            if digest != redaction.content_digest:
                return checked, broken("redacted row's content", redaction.content_digest, digest)
        else:
            computed = row_hash(expected_prev, row)
            if computed != row.row_hash:
                return checked, broken("row_hash", computed, row.row_hash)
        if anchor is not None and row.chain_seq == anchor.seq and row.row_hash != anchor.hash:
            # Consistent, but not the chain the backup saw: rewritten and re-hashed since.
            return checked, broken("differs from the backup's head", anchor.hash, row.row_hash)
        expected_seq, expected_prev, last_id = expected_seq + 1, row.row_hash, row.id
        if expected_seq > head.seq + 1:
            return checked, broken("past the head", f"seq {head.seq}", f"seq {row.chain_seq}")
    if (expected_seq - 1, expected_prev) != (head.seq, head.hash):
        # The chain's last rows are gone (or the head was moved): name the head's row.
        return checked, Break(
            head.last_id,
            partition,
            head.seq,
            "chain ends before its head",
            f"seq {head.seq} hash {head.hash}",
            f"seq {expected_seq - 1} hash {expected_prev} (last id {last_id})",
        )
    if anchor is not None and head.seq < anchor.seq:
        return checked, Break(
            head.last_id,
            partition,
            head.seq,
            "shorter than at the backup",
            f"seq {anchor.seq} hash {anchor.hash}",
            f"seq {head.seq} hash {head.hash}",
        )
    return checked, None


def verify_database(
    engine: Engine, anchors: Sequence[Head] | None = None, *, exact: bool = False
) -> Verification:
    """`verify` in one snapshot (REPEATABLE READ): heads and rows as of one instant, so rows
    committed while the walk runs are neither half seen nor taken for a break."""
    with engine.connect() as conn:
        conn = conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            conn.execute(text("SET TRANSACTION READ ONLY"))
            return verify(conn, anchors, exact=exact)


def verify(
    conn: Connection, anchors: Sequence[Head] | None = None, *, exact: bool = False
) -> Verification:
    """Walk every chain from its first row to its head and return the first break, if any.

    `anchors` are heads a backup stored: each chain must still pass through them (a chain
    rewritten and re-hashed since then does not); `exact`: they must be the heads (a restore
    of that very backup). Run it in one snapshot (`verify_database`)."""
    current = heads(conn)
    partitions = [h.partition for h in current]
    if partitions != list(range(PARTITIONS)):
        return Verification(
            0,
            current,
            Break(
                None, None, None, "chain heads", f"partitions 0..{PARTITIONS - 1}", str(partitions)
            ),
        )
    unsealed = conn.execute(_UNSEALED, {"last": PARTITIONS - 1}).scalar()
    if unsealed is not None:
        return Verification(
            0, current, Break(unsealed, None, None, "unsealed", "a chained row", "no chain")
        )
    by_partition = {a.partition: a for a in anchors or ()}
    redacted = redactions(conn)
    checked = 0
    # One scan and one sort for every chain: the rows arrive chain after chain.
    rows = conn.execute(_ROWS.execution_options(yield_per=5000))
    chains = groupby(rows, key=lambda row: int(row.chain_partition))
    chain = next(chains, None)
    for head in current:
        anchor = by_partition.get(head.partition)
        if exact and anchor is not None and anchor != head:
            return Verification(
                checked,
                current,
                Break(
                    head.last_id,
                    head.partition,
                    head.seq,
                    "head differs from the backup's",
                    f"seq {anchor.seq} hash {anchor.hash}",
                    f"seq {head.seq} hash {head.hash}",
                ),
            )
        own: Iterable[Any] = ()
        if chain is not None and chain[0] == head.partition:
            own, chain = chain[1], None
        count, broken = _walk(head.partition, own, head, anchor, redacted)
        if chain is None:
            chain = next(chains, None)
        checked += count
        if broken is not None:
            return Verification(checked, current, broken)
    return Verification(checked, current, None)
