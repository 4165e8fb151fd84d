"""Folding the /stats running totals together (the `compact_stats` schedule).

The triggers that keep the totals (migration 9d3e5a7c1b20) spread each total over 16 rows,
one slot per transaction id, so concurrent changes do not queue on one row lock; and a
request that changes status leaves its old status's rows at zero rather than deleting them.
Both are what writing needs, and reading pays for: at 1M requests /stats read 16 times the
rows its answer needs (the median's histogram alone, 328,000 rows, took 140 ms).

Compaction moves every row of the triggers' slots into one more slot, `FOLDED`, which the
triggers never write, summing rows of one key, and drops the rows that count nothing. The
sums, so /stats' answers, are the same before and after, at every moment: each batch is one
transaction. It takes rows with SKIP LOCKED, a batch at a time, so it never waits on a change
in flight and a change never waits on it for longer than one batch; the one row per key it
writes is its own slot's, which no trigger locks, so the two cannot deadlock.
"""

import logging
from dataclasses import dataclass

from sqlalchemy import Engine, func, select, text

from shared.db import get_engine

logger = logging.getLogger(__name__)

TRIGGER_SLOTS = 16  # the triggers' slots, 0-15 (migration 9d3e5a7c1b20)
FOLDED = TRIGGER_SLOTS  # the compaction's own slot
BATCH_ROWS = 5_000
_LOCK_KEY = func.hashtext("compact_stats")  # one compaction at a time


@dataclass(frozen=True)
class Totals:
    """A totals table: the columns of its key (besides the slot) and of what it counts."""

    table: str
    key: tuple[str, ...]
    counts: tuple[str, ...]

    def fold(self) -> str:
        """Move one batch of the triggers' rows into the folded slot; selects how many rows
        it took, and how many folded rows it had to make (the rest joined existing ones)."""
        key, counts = ", ".join(self.key), ", ".join(self.counts)
        same_row = " AND ".join(f"t.{c} = taken.{c}" for c in (*self.key, "slot"))
        return f"""
            WITH taken AS (
                SELECT {key}, slot FROM {self.table} WHERE slot <> :folded
                ORDER BY {key}, slot LIMIT :batch FOR UPDATE SKIP LOCKED
            ), moved AS (
                DELETE FROM {self.table} t USING taken WHERE {same_row}
                RETURNING {", ".join(f"t.{c}" for c in (*self.key, *self.counts))}
            ), added AS (
                INSERT INTO {self.table} AS t ({key}, slot, {counts})
                SELECT {key}, :folded, {", ".join(f"sum({c})" for c in self.counts)}
                  FROM moved GROUP BY {key}
                ON CONFLICT ({key}, slot) DO UPDATE
                SET {", ".join(f"{c} = t.{c} + excluded.{c}" for c in self.counts)}
                RETURNING xmax = 0 AS made  -- PostgreSQL's mark of an inserted, not updated, row
            )
            SELECT (SELECT count(*) FROM moved), (SELECT count(*) FROM added WHERE made)
        """

    def drop_empty(self) -> str:
        """Delete the folded rows that count nothing (a status every request left), of keys
        folded whole: a row a change held at the fold may still hold the other half of what
        the folded row counts (its seconds, with no decided stage left beside them)."""
        nothing = " AND ".join(f"f.{c} = 0" for c in self.counts if c != "seconds")
        same_key = " AND ".join(f"o.{c} = f.{c}" for c in self.key)
        return f"""
            DELETE FROM {self.table} f WHERE f.slot = :folded AND {nothing}
               AND NOT EXISTS (SELECT 1 FROM {self.table} o WHERE {same_key} AND o.slot <> :folded)
        """


TOTALS = (
    Totals("request_day_totals", ("day", "status"), ("requests", "amount")),
    # `seconds` sums the decided stages' times: a key folded whole with no decided stage has
    # no time left (up to rounding), so it is not asked to be zero.
    Totals("stage_role_totals", ("day", "status", "role"), ("decided", "requests", "seconds")),
    Totals("stage_timing_buckets", ("day", "status", "role", "bucket"), ("decided",)),
)


def compact(engine: Engine | None = None, batch_rows: int = BATCH_ROWS) -> dict[str, int]:
    """Fold every totals table (of the application's database, or `engine`'s); how many rows
    each lost. Another compaction running (they would only wait on each other's folded
    rows): this one does nothing."""
    engine = engine or get_engine()
    removed: dict[str, int] = {}
    for totals in TOTALS:
        removed[totals.table] = 0
        done = False
        while not done:
            with engine.begin() as connection:
                if not connection.scalar(select(func.pg_try_advisory_xact_lock(_LOCK_KEY))):
                    logger.info("another compaction is running", extra={"table": totals.table})
                    return removed
                moved, made = connection.execute(
                    text(totals.fold()), {"folded": FOLDED, "batch": batch_rows}
                ).one()
                removed[totals.table] += moved - made
                # A short batch took what was left (but rows a change holds right now: the
                # next run folds them).
                done = moved < batch_rows
                if done:
                    dropped = connection.execute(text(totals.drop_empty()), {"folded": FOLDED})
                    removed[totals.table] += dropped.rowcount
    logger.info("stats totals compacted", extra={"rows_removed": removed})
    return removed
