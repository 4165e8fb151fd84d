"""Cold-start cost of each function: the time a fresh interpreter takes to import its
handler module, as Lambda does on a cold start.

Reported with p50/p95/p99 over repeated runs, as ratios against two baselines measured in the
same run: a bare interpreter start, and `import fastapi, mangum` (P1's yardstick: an HTTP
function within 1.2x of it, a queue or scheduled function within 0.5x). Cases are
interleaved so machine noise hits all alike. The same ratios in CPU time follow (user + system
of the child): on a machine others share, they move far less than wall time. `import
sqlalchemy.orm` is measured as context, not as a target: every function reads the database
through the ORM, so its import is a floor under each function's. So is `import psycopg, boto3,
redis`: the drivers a function loads at its first call rather than at import (a database
connection, an AWS client, the cache), so a cold start pays them on top of the figure here.
The project's modules are imported from bytecode compiled first, as the functions' image
ships them (functions/Dockerfile): a checkout that may not write bytecode
(PYTHONDONTWRITEBYTECODE) would otherwise time the compiler too.
    ENVIRONMENT=local .venv/bin/python -m benchmarks.cold_start [--runs 20]
"""

import argparse
import compileall
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.report import Target, table, targets_table

ROOT = Path(__file__).resolve().parents[1]
HTTP_FUNCTIONS = ("submit", "decide", "api")
QUEUE_FUNCTIONS = ("score", "route_to_approver", "notify", "deliver_webhook")
SCHEDULED_FUNCTIONS = ("escalate", "nightly_backup", "outbox_relay", "compact_stats")
FUNCTIONS = QUEUE_FUNCTIONS + SCHEDULED_FUNCTIONS + HTTP_FUNCTIONS
BARE = "baseline (bare interpreter)"
FRAMEWORK = "import fastapi, mangum"
ORM = "import sqlalchemy.orm"
DRIVERS = "import psycopg, boto3, redis"


def _time(code: str) -> tuple[float, float]:
    """Wall time and CPU time (user + system) of one fresh interpreter running `code`."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def _ratios(samples: dict[str, list[float]], names: tuple[str, ...]) -> str:
    framework = statistics.median(samples[FRAMEWORK])
    return ", ".join(f"{n} {statistics.median(samples[n]) / framework:.2f}" for n in names)


def run(runs: int) -> tuple[list[str], list[Target]]:
    # The yardsticks are named by their own code.
    cases = {BARE: "pass"} | {case: case for case in (FRAMEWORK, ORM, DRIVERS)}
    cases |= {f: f"import functions.{f}.handler" for f in FUNCTIONS}
    samples: dict[str, list[float]] = {name: [] for name in cases}
    cpu: dict[str, list[float]] = {name: [] for name in cases}
    for package in ("shared", "functions"):
        if not compileall.compile_dir(ROOT / package, quiet=1):
            raise RuntimeError(f"{package}/ does not compile")
    for code in cases.values():  # warm the file cache once
        _time(code)
    for _ in range(runs):
        for name, code in cases.items():
            wall, used = _time(code)
            samples[name].append(wall)
            cpu[name].append(used)

    lines = table(f"P1: cold start, import of each handler, {runs} runs each", samples, BARE, "ms")
    lines.append(f"x {FRAMEWORK} (p50): " + _ratios(samples, (ORM, DRIVERS, *FUNCTIONS)))
    lines.append(f"x {FRAMEWORK} (p50 of CPU time): " + _ratios(cpu, (ORM, DRIVERS, *FUNCTIONS)))
    framework = statistics.median(samples[FRAMEWORK])

    def ratio(function: str) -> float:
        return statistics.median(samples[function]) / framework

    targets = [
        Target(f"P1 {f} import vs fastapi+mangum", ratio(f), 1.2, at_most=True)
        for f in HTTP_FUNCTIONS
    ] + [
        Target(f"P1 {f} import vs fastapi+mangum", ratio(f), 0.5, at_most=True)
        for f in QUEUE_FUNCTIONS + SCHEDULED_FUNCTIONS
    ]
    return lines, targets


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    lines, targets = run(args.runs)
    sys.stdout.write("\n".join([*lines, "", *targets_table("P1 targets", targets)]) + "\n")


if __name__ == "__main__":
    main()
