"""Compacting the /stats running totals (the `compact_stats` schedule) changes no answer:
every total sums the same, the triggers' slots are emptied into the compaction's own, rows
that count nothing go; and changes after it are counted as before."""

from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import Connection, text

from infra.local.runner import invoke_schedule
from shared.db import get_engine, unit_of_work
from shared.messaging.topology import SCHEDULES
from shared.tracking import compaction, stats
from shared.tracking.compaction import FOLDED, TOTALS
from shared.tracking.schemas import StatsFilters
from tests.support import Api, Person, decision_body

# A day no request of the tests was made on: totals written here by hand, as concurrent
# transactions leave them (one key over three slots) and as a status every request left
# leaves them (changes that cancel out).
LONG_AGO = date(2001, 1, 1)
SPREAD = [(3, 2), (9, 5), (12, -1)]  # (slot, decided): folds into one row of 6
CANCELLED = [(1, 1), (2, -1)]  # folds into nothing


def _sums(connection: Connection) -> dict[str, set[tuple[Any, ...]]]:
    """Each table's totals per key, over all its slots (what /stats reads), but zeros."""
    sums = {}
    for totals in TOTALS:
        key = ", ".join(totals.key)
        summed = ", ".join(f"sum({c})" for c in totals.counts)
        rows = connection.execute(
            text(f"SELECT {key}, {summed} FROM {totals.table} GROUP BY {key}")
        ).all()
        sums[totals.table] = {
            (*r[: len(totals.key)], *(round(v, 6) for v in r[len(totals.key) :]))
            for r in rows
            if any(r[len(totals.key) :])
        }
    return sums


def _row_counts(connection: Connection) -> dict[str, int]:
    return {
        t.table: connection.execute(text(f"SELECT count(*) FROM {t.table}")).scalar_one()
        for t in TOTALS
    }


def _buckets(connection: Connection, bucket: int) -> list[tuple[int, int]]:
    return [
        (row.slot, row.decided)
        for row in connection.execute(
            text(
                "SELECT slot, decided FROM stage_timing_buckets WHERE day = :day AND "
                "status = 'approved' AND role = 'analyst' AND bucket = :bucket ORDER BY slot"
            ),
            {"day": LONG_AGO, "bucket": bucket},
        )
    ]


@pytest.fixture
def hand_written_totals(database: str) -> Iterator[None]:
    with get_engine().begin() as connection:
        for bucket, rows in ((700, SPREAD), (701, CANCELLED)):
            for slot, decided in rows:
                connection.execute(
                    text(
                        "INSERT INTO stage_timing_buckets (day, status, role, bucket, slot, "
                        "decided) VALUES (:day, 'approved', 'analyst', :bucket, :slot, :decided)"
                    ),
                    {"day": LONG_AGO, "bucket": bucket, "slot": slot, "decided": decided},
                )
    yield
    with get_engine().begin() as connection:
        for table in ("stage_timing_buckets", "stage_role_totals"):
            connection.execute(text(f"DELETE FROM {table} WHERE day = :day"), {"day": LONG_AGO})


def _decide(api: Api, staff: dict[str, Person], request_id: str, decision: str) -> None:
    approver = api.assignee(staff, request_id)
    response = api.http.post(
        f"/api/v1/credit-requests/{request_id}/decision",
        json=decision_body(decision, "checked"),
        headers=api.login(approver),
    )
    assert response.status_code == 200, response.text


def _counted_agrees_with_the_rows() -> None:
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    filters = StatsFilters(created_from=today)
    days = stats.counted_days(filters)
    assert days is not None
    with unit_of_work() as session:
        totals, rows = stats._totals(filters, days), stats._conditions(filters)
        assert stats.counted_outcomes(session, totals) == stats.outcomes(session, rows)
        assert stats.counted_volume(session, totals) == stats.volume_by_day(session, rows)


def test_compaction_folds_the_totals_and_changes_no_answer(
    api: Api,
    staff: dict[str, Person],
    drain: Callable[[], None],
    hand_written_totals: None,
) -> None:
    # Changes of every kind, each its own transaction (so its own slot): submissions,
    # scoring, a decision and a withdrawal, which move totals from one status to another.
    auth = api.login(api.register())
    approved, withdrawn, later = (api.submit(auth)["id"] for _ in range(3))
    drain()
    _decide(api, staff, approved, "approve")
    response = api.http.post(f"/api/v1/credit-requests/{withdrawn}/withdraw", headers=auth)
    assert response.status_code == 200, response.text
    drain()
    with get_engine().begin() as connection:
        before = _sums(connection)
        rows_before = _row_counts(connection)
    with unit_of_work() as session:
        answer = stats.summarize(session, StatsFilters())

    schedule = next(s for s in SCHEDULES if s.function == "compact_stats")
    removed = invoke_schedule(schedule)
    # Three hand-written rows became one, two cancelled out, and more went besides.
    assert removed["stage_timing_buckets"] >= 4

    with get_engine().begin() as connection:
        assert _sums(connection) == before
        # What it reports is what went (nothing else writes meanwhile).
        assert removed == {
            table: n - after
            for (table, n), after in zip(
                rows_before.items(), _row_counts(connection).values(), strict=True
            )
        }
        for totals in TOTALS:
            leftover = connection.execute(
                text(f"SELECT count(*) FROM {totals.table} WHERE slot <> :folded"),
                {"folded": FOLDED},
            ).scalar_one()
            assert leftover == 0, totals.table
            # No stage decided, no request counted: no time either (up to the float's rounding).
            counts_nothing = " AND ".join(f"{c} = 0" for c in totals.counts if c != "seconds")
            empty = connection.execute(
                text(f"SELECT count(*) FROM {totals.table} WHERE {counts_nothing}")
            ).scalar_one()
            assert empty == 0, totals.table
        assert _buckets(connection, 700) == [(FOLDED, 6)]
        assert _buckets(connection, 701) == []
    with unit_of_work() as session:
        assert stats.summarize(session, StatsFilters()) == answer

    # The triggers go on writing their own slots, and the totals still say what rows say.
    _decide(api, staff, later, "reject")
    _counted_agrees_with_the_rows()
    invoke_schedule(schedule)
    _counted_agrees_with_the_rows()


def _role_totals(connection: Connection) -> list[tuple[int, int, int, float]]:
    return [
        (row.slot, row.decided, row.requests, row.seconds)
        for row in connection.execute(
            text(
                "SELECT slot, decided, requests, seconds FROM stage_role_totals WHERE day = :day "
                "AND status = 'approved' AND role = 'analyst' ORDER BY slot"
            ),
            {"day": LONG_AGO},
        )
    ]


def test_a_row_a_change_holds_is_left_for_the_next_run_and_nothing_is_lost(
    hand_written_totals: None,
) -> None:
    # One decided stage of 300 s (slot 3); another of 500 s counted (slot 7) and taken off
    # again (slot 2), as a request moving status does. A change in flight holds slot 7.
    rows = [(3, 1, 1, 300.0), (7, 1, 1, 500.0), (2, -1, -1, -500.0)]
    with get_engine().begin() as connection:
        for slot, decided, requests, seconds in rows:
            connection.execute(
                text(
                    "INSERT INTO stage_role_totals (day, status, role, slot, decided, requests,"
                    " seconds) VALUES (:day, 'approved', 'analyst', :slot, :decided, :requests,"
                    " :seconds)"
                ),
                {"day": LONG_AGO, "slot": slot, "decided": decided, "requests": requests}
                | {"seconds": seconds},
            )
    change = get_engine().connect()
    try:
        change.execute(
            text(
                "SELECT 1 FROM stage_role_totals WHERE day = :day AND slot = 7 AND role = 'analyst'"
                " FOR UPDATE"
            ),
            {"day": LONG_AGO},
        )
        compaction.compact(batch_rows=2)  # a batch of two rows at a time: several batches
        with get_engine().begin() as connection:
            # What it could take folded into a row that counts no stage but 200 s less: kept,
            # as the row it could not take still holds their other half.
            assert _role_totals(connection) == [(7, 1, 1, 500.0), (FOLDED, 0, 0, -200.0)]
    finally:
        change.rollback()
        change.close()
    compaction.compact(batch_rows=2)
    with get_engine().begin() as connection:
        assert _role_totals(connection) == [(FOLDED, 1, 1, 300.0)]
