"""`make bench-scale` (issue 9 target P3): every request-list query (each filter, sort and
view, page 1 and 50 pages deep by cursor; benchmarks.scale_cases) and the approver inbox, timed
at 10k requests and at 1M in the same run, taking turns; and /stats at 1M, before and after
the nightly compaction of its running totals (shared.tracking.compaction). Targets: each list
query's p95 at 1M at most 1.5x its p95 at 10k; /stats at 1M p95 at most 250 ms.

The two databases (credit_scale_10k, credit_scale_1m on DATABASE_URL's server) are migrated
and seeded by infra.local.load_data on first use (the 1M seed takes minutes) and kept for the
next run; --drop removes them afterwards.

    python -m infra.local.stack run -- .venv/bin/python -m benchmarks.scale [--runs 30]
"""

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine, create_engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from benchmarks import scale_cases
from benchmarks.report import Target, interleaved, quantile, targets_table
from shared.credit.models import CreditRequest
from shared.tracking import compaction

SIZES = {"10k": 10_000, "1m": 1_000_000}
LIST_RATIO = 1.5
STATS_MS = 250.0


def _url(size: str) -> str:
    server = make_url(os.environ["DATABASE_URL"])
    return server.set(database=f"credit_scale_{size}").render_as_string(hide_password=False)


def _seeded(size: str) -> str:
    """The database for `size`, migrated and holding its requests (seeded if it is not)."""
    from alembic import command
    from alembic.config import Config

    from infra.local.load_data import load
    from infra.local.stack import ensure_database

    url = _url(size)
    ensure_database(url)
    config = Config("alembic.ini")
    config.attributes["configure_logger"] = False
    config.attributes["database_url"] = url
    command.upgrade(config, "head")
    engine = create_engine(url)
    with engine.connect() as conn:
        present = conn.scalar(text("SELECT count(*) FROM credit_requests")) or 0
    engine.dispose()
    if present < SIZES[size]:
        started = time.monotonic()
        load(url, SIZES[size] - present)
        _say(
            f"seeded {size}: {SIZES[size] - present} requests in {time.monotonic() - started:.0f} s"
        )
    return url


def _say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def _timer(engine: Engine, statement: Any) -> Callable[[], float]:
    session = Session(engine)

    def timed() -> float:
        started = time.perf_counter()
        session.scalars(statement).all()
        elapsed = time.perf_counter() - started
        session.rollback()  # a fresh snapshot each time, as each API call gets
        session.expunge_all()
        return elapsed

    return timed


def _statements(engine: Engine) -> dict[str, Any]:
    with Session(engine) as session:
        cases = scale_cases.list_cases(session) + scale_cases.inbox_cases(session)
        built = {case.name: case.statement(session) for case in cases}
    return {name: statement for name, statement in built.items() if statement is not None}


def _list_queries(engines: dict[str, Engine], runs: int) -> tuple[list[str], list[Target]]:
    small, large = (_statements(engines[s]) for s in SIZES)
    both = [name for name in small if name in large]
    lines = [
        f"P3 list queries: p95 at 1M against 10k, {runs} runs each, taking turns (ms)",
        f"{'query':60} {'10k p50':>8} {'10k p95':>8} {'1M p50':>8} {'1M p95':>8} {'ratio':>6}",
    ]
    ratios: dict[str, float] = {}
    for name in both:
        samples = interleaved(
            {
                "10k": _timer(engines["10k"], small[name]),
                "1m": _timer(engines["1m"], large[name]),
            },
            runs,
        )
        (small50, small95), (large50, large95) = (
            (quantile(v, 0.5) * 1e3, quantile(v, 0.95) * 1e3) for v in samples.values()
        )
        ratios[name] = large95 / small95
        flag = " !" if ratios[name] > LIST_RATIO else ""
        lines.append(
            f"{name:60} {small50:8.2f} {small95:8.2f} {large50:8.2f} {large95:8.2f}"
            f" {ratios[name]:6.2f}{flag}"
        )
        _say(lines[-1])
    only_large = sorted(set(large) - set(small))
    if only_large:
        lines.append(f"({len(only_large)} deep pages exist only at 1M, not compared)")
    worst = max(ratios, key=ratios.__getitem__)
    over = sum(r > LIST_RATIO for r in ratios.values())
    lines.append(
        f"{len(ratios)} queries: median ratio {statistics.median(ratios.values()):.2f},"
        f" worst {ratios[worst]:.2f} ({worst}), {over} above {LIST_RATIO}"
    )
    return lines, [
        Target(f"P3 list p95 1M/10k, worst of {len(ratios)}", ratios[worst], LIST_RATIO, True),
        Target(
            "P3 list p95 1M/10k, median",
            statistics.median(ratios.values()),
            LIST_RATIO,
            True,
        ),
    ]


def _stats_timer(engine: Engine, filters: Any) -> Callable[[], float]:
    session = Session(engine)

    def timed() -> float:
        started = time.perf_counter()
        scale_cases.summarize(session, filters)
        elapsed = time.perf_counter() - started
        session.rollback()
        return elapsed

    return timed


def _stats(engines: dict[str, Engine], runs: int, state: str) -> tuple[list[str], list[Target]]:
    lines = [f"/stats (summarize), {runs} runs each (ms), {state}"]
    targets = []
    for label, filters in scale_cases.stats_filters().items():
        cases = {size: _stats_timer(engine, filters) for size, engine in engines.items()}
        samples = interleaved(cases, runs)
        for size, values in samples.items():
            p50, p95, p99 = (quantile(values, q) * 1e3 for q in (0.5, 0.95, 0.99))
            lines.append(f"stats {label} at {size}: p50 {p50:.1f} p95 {p95:.1f} p99 {p99:.1f}")
        p95 = quantile(samples["1m"], 0.95) * 1e3
        targets.append(Target(f"P3 /stats {label} p95 at 1M", p95, STATS_MS, True, " ms"))
    return lines, targets


def _compacted(engines: dict[str, Engine]) -> list[str]:
    """Fold the totals as the nightly `compact_stats` schedule does in production."""
    lines = []
    for size, engine in engines.items():
        started = time.monotonic()
        removed = compaction.compact(engine)
        lines.append(
            f"compact_stats at {size}: {time.monotonic() - started:.1f} s, rows removed "
            + ", ".join(f"{table} {n}" for table, n in removed.items())
        )
        _say(lines[-1])
    return lines


def run(runs: int) -> tuple[list[str], list[Target]]:
    """The P3 section: its lines and its targets."""
    engines = {size: scale_cases.engine_for(_seeded(size)) for size in SIZES}
    with Session(engines["1m"]) as session:
        counted = session.scalar(select(func.count()).select_from(CreditRequest))
    lines, targets = _list_queries(engines, runs)
    # The totals as the seeding's triggers left them, then as production keeps them (the
    # schedule folds them each night): the targets are the second.
    found_lines, _ = _stats(engines, runs, "totals as found")
    compact_lines = _compacted(engines)
    stats_lines, stats_targets = _stats(engines, runs, "after compact_stats")
    for engine in engines.values():
        engine.dispose()
    return [
        *lines,
        "",
        *found_lines,
        *compact_lines,
        *stats_lines,
        f"(1M database: {counted} requests)",
    ], [*targets, *stats_targets]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=int(os.environ.get("BENCH_SCALE_RUNS", "30")))
    parser.add_argument("--drop", action="store_true", help="drop the two databases afterwards")
    args = parser.parse_args()
    from benchmarks.__main__ import _machine

    lines, targets = run(args.runs)
    _say("\n".join(["", *lines, ""]))
    _say("\n".join(targets_table("Targets (issue 9, P3), this run", targets)))
    _say(f"Machine: {_machine()}")
    if args.drop:
        admin = create_engine(
            make_url(os.environ["DATABASE_URL"]).set(database="postgres"),
            isolation_level="AUTOCOMMIT",
        )
        with admin.connect() as conn:
            for size in SIZES:
                conn.execute(text(f'DROP DATABASE IF EXISTS "credit_scale_{size}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    main()
