"""Cold-start cost of each function: the time a fresh interpreter takes to import its
handler module, as Lambda does on a cold start.

Reported as ratios against a baseline measured in the same run (a bare interpreter start),
with p50/p95/p99 over repeated runs; cases are interleaved so machine noise hits all alike.
    .venv/bin/python -m benchmarks.cold_start [--runs 20]
"""

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.report import table

ROOT = Path(__file__).resolve().parents[1]
FUNCTIONS = (
    "score",
    "route_to_approver",
    "notify",
    "escalate",
    "nightly_backup",
    "outbox_relay",
    "submit",
    "decide",
    "api",
)


def _time(code: str) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    cases = {"baseline (bare interpreter)": "pass"} | {
        f: f"import functions.{f}.handler" for f in FUNCTIONS
    }
    samples: dict[str, list[float]] = {name: [] for name in cases}
    for code in cases.values():  # warm the file cache once
        _time(code)
    for _ in range(args.runs):
        for name, code in cases.items():
            samples[name].append(_time(code))

    lines = table(
        f"Cold start: import of each handler, {args.runs} runs each",
        samples,
        "baseline (bare interpreter)",
        "ms",
    )
    queue = statistics.median(samples["score"])
    http = statistics.median(samples["submit"])
    lines.append(f"HTTP function (submit) / queue function (score), p50: {http / queue:.2f}")
    sys.stdout.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
