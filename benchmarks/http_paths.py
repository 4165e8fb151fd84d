"""P2: the request path through the gateway against a bare FastAPI endpoint returning a
static 20-item list, served by the same uvicorn on another port in the same run (the
baseline): closed-loop load, `BENCH_CONNECTIONS` connections for `BENCH_HTTP_SECONDS` each.

Cases: `/api/v1/health`; the cached `GET /api/v1/credit-requests?limit=20` as an applicant
(ten requests of their own) and as staff; and a first, uncached read: each request asks a
query never asked before (a different `amount_min` below every amount), so each one misses
the cache and reads PostgreSQL."""

import os

from benchmarks.load import AMOUNT, Result, hammer
from benchmarks.report import Target

LIST = "/api/v1/credit-requests?limit=20"
CASES = (
    "bare FastAPI static list (baseline)",
    "GET /api/v1/health",
    "credit-requests?limit=20, applicant, cached",
    "credit-requests?limit=20, staff, cached",
    "credit-requests?limit=20, first uncached read",
)


def run(
    gateway: str, bare: str, applicant: dict[str, str], staff: dict[str, str]
) -> tuple[list[str], list[Target]]:
    seconds = float(os.environ.get("BENCH_HTTP_SECONDS", "10"))
    connections = int(os.environ.get("BENCH_CONNECTIONS", "16"))

    def load(url: str, path: str, headers: dict[str, str] | None = None) -> Result:
        return hammer(url, path, headers=headers, connections=connections, seconds=seconds)

    results = {
        CASES[0]: load(bare, "/items"),
        CASES[1]: load(gateway, "/api/v1/health"),
        CASES[2]: load(gateway, LIST, applicant),
        CASES[3]: load(gateway, LIST, staff),
        CASES[4]: load(gateway, f"{LIST}&amount_min={AMOUNT}", applicant),
    }
    baseline = results[CASES[0]]
    if not baseline.answered:
        raise RuntimeError(f"the baseline answered nothing ({baseline.errors} errors)")
    width = max(len(c) for c in CASES) + 2
    lines = [
        f"P2: the request path, {connections} connections x {seconds:g} s per case, load from "
        f"{baseline.generator} (closed loop; ms; ratios to the baseline)",
        f"{'case':{width}} {'req/s':>8} {'p50':>7} {'p95':>7} {'p99':>7} {'errors':>7} "
        f"{'x req/s':>8} {'x p99':>7}",
    ]

    def ratio(case: str) -> float:
        return results[case].throughput / baseline.throughput

    def p99_ratio(case: str) -> float:
        return results[case].p99 / baseline.p99

    for name, result in results.items():
        lines.append(
            f"{name:{width}} {result.throughput:8.0f} {result.p50 * 1e3:7.1f} "
            f"{result.p95 * 1e3:7.1f} {result.p99 * 1e3:7.1f} {result.errors:7d} "
            f"{ratio(name):8.2f} {p99_ratio(name):7.2f}"
        )

    targets = [
        Target("P2 /health req/s vs baseline", ratio(CASES[1]), 0.8, at_most=False),
        Target("P2 cached list (applicant) req/s", ratio(CASES[2]), 0.5, at_most=False),
        Target("P2 cached list (applicant) p99", p99_ratio(CASES[2]), 2, at_most=True),
        Target("P2 cached list (staff) req/s", ratio(CASES[3]), 0.5, at_most=False),
        Target("P2 cached list (staff) p99", p99_ratio(CASES[3]), 2, at_most=True),
        Target("P2 first uncached read req/s", ratio(CASES[4]), 0.25, at_most=False),
    ]
    lines.append(
        f"baseline median latency {baseline.p50 * 1e3:.1f} ms; "
        "the load generator shares the CPUs with what it measures."
    )
    return lines, targets
