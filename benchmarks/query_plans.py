"""EXPLAIN (ANALYZE, BUFFERS) of every query the scale checks run (benchmarks.scale_cases):
each case's execution time, the plan's node types (with the index each scan uses), and a
flag where the plan reads a whole table or sorts many rows, the things that grow with it.

    python -m benchmarks.query_plans --database-url postgresql+psycopg://…/credit_scale_1m
        [--only SUBSTRING]

"stats" cases are /stats as it runs; "stats rows" the aggregates over every row that the
running totals replace (the plans before migration 9d3e5a7c1b20: `--only "stats rows"`).
"""

import argparse
import json
import sys
from collections.abc import Callable, Iterator
from typing import Any

from sqlalchemy import Connection, Engine, event
from sqlalchemy.orm import Session

from benchmarks import scale_cases
from shared.tracking import stats

BIG_SORT = 5000  # rows into a Sort node, or out of a whole-table scan, worth a flag


def _nodes(plan: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield plan
    for child in plan.get("Plans", []):
        yield from _nodes(child)


def _describe(plan: dict[str, Any]) -> tuple[str, list[str]]:
    """The plan's nodes, outermost first, and its flags (seq scans, big sorts)."""
    names, flags = [], []
    for node in _nodes(plan):
        kind = node["Node Type"]
        if "Index Name" in node:
            kind += f"({node['Index Name']})"
        elif "Relation Name" in node:
            kind += f"({node['Relation Name']})"
        names.append(kind)
        # Small tables (the /stats totals of a few days) are read whole by design.
        if node["Node Type"] == "Seq Scan" and node["Actual Rows"] > BIG_SORT:
            flags.append(f"SEQ SCAN {node['Relation Name']} ({node['Actual Rows']} rows)")
        if node["Node Type"] == "Sort" and node["Actual Rows"] * node["Actual Loops"] > BIG_SORT:
            flags.append(f"BIG SORT ({node['Actual Rows']} rows)")
        if node["Node Type"] == "Bitmap Heap Scan" and node["Actual Rows"] > BIG_SORT:
            flags.append(f"BITMAP {node['Relation Name']} ({node['Actual Rows']} rows)")
    return " > ".join(names), flags


def explain(conn: Connection, sql: str, params: Any) -> tuple[float, str, list[str]]:
    """Execution time (ms), node summary and flags of one statement."""
    raw = conn.exec_driver_sql(
        f"EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) {sql}", params
    ).scalar_one()
    result = raw if isinstance(raw, list) else json.loads(raw)
    names, flags = _describe(result[0]["Plan"])
    return float(result[0]["Execution Time"]), names, flags


def _line(name: str, ms: float, names: str, flags: list[str]) -> str:
    mark = "!" if flags else " "
    return f"{mark} {ms:9.1f} ms  {name:60} {names}  {'; '.join(flags)}"


def _list_plans(engine: Engine, only: str) -> list[str]:
    lines = []
    with Session(engine) as session:
        cases = scale_cases.list_cases(session) + scale_cases.inbox_cases(session)
        for case in cases:
            if only not in case.name:
                continue
            statement = case.statement(session)
            if statement is None:
                lines.append(f"  {'-':>9}     {case.name:60} (no such page)")
                continue
            compiled = statement.compile(
                dialect=engine.dialect, compile_kwargs={"render_postcompile": True}
            )
            ms, names, flags = explain(session.connection(), str(compiled), compiled.params)
            lines.append(_line(case.name, ms, names, flags))
            sys.stdout.write(lines[-1] + "\n")
            sys.stdout.flush()
    return lines


def _stats_work(filters: Any) -> dict[str, Callable[[Session], object]]:
    """/stats as it runs, and the row aggregates it replaces where the totals answer."""
    where = stats._conditions(filters)
    return {
        "stats": lambda session: scale_cases.summarize(session, filters),
        "stats rows": lambda session: (
            stats.outcomes(session, where),
            stats.volume_by_day(session, where),
            stats.time_to_decision(session, where),
        ),
    }


def _stats_plans(engine: Engine, only: str) -> list[str]:
    """Each statement /stats runs (and the row aggregates), caught as it runs, then explained."""
    lines = []
    for label, filters in scale_cases.stats_filters().items():
        for kind, work in _stats_work(filters).items():
            name = f"{kind} {label}"
            if only not in name:
                continue
            caught: list[tuple[str, Any]] = []

            def catch(_c: Any, _cur: Any, sql: str, params: Any, _ctx: Any, _many: bool) -> None:
                caught.append((sql, params))  # noqa: B023 - used before the loop moves on

            event.listen(engine, "before_cursor_execute", catch)
            with Session(engine) as session:
                work(session)
            event.remove(engine, "before_cursor_execute", catch)
            with engine.connect() as conn:
                for n, (sql, params) in enumerate(caught):
                    if not sql.lstrip().upper().startswith("SELECT"):
                        continue
                    ms, names, flags = explain(conn, sql, params)
                    lines.append(_line(f"{name} #{n}", ms, names, flags))
                    sys.stdout.write(lines[-1] + "\n")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--only", default="", help="cases whose name holds this text")
    args = parser.parse_args()
    engine = scale_cases.engine_for(args.database_url)
    flagged = [
        line
        for line in _list_plans(engine, args.only) + _stats_plans(engine, args.only)
        if line.startswith("!")
    ]
    sys.stdout.write(f"\n{len(flagged)} flagged plans\n")


if __name__ == "__main__":
    main()
