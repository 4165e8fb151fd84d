"""The one way the benchmarks report: p50/p95/p99 per case and its ratio to the baseline
measured in the same run (medians), as a text table; and each figure the issue sets a target
for, next to that target."""

import statistics
from collections.abc import Callable
from dataclasses import dataclass


def quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def interleaved(cases: dict[str, Callable[[], float]], runs: int) -> dict[str, list[float]]:
    """Each case timed `runs` times, the cases taking turns so machine noise hits them alike;
    one untimed round first (connections, statement caches, imports)."""
    for timed in cases.values():
        timed()
    samples: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(runs):
        for name, timed in cases.items():
            samples[name].append(timed())
    return samples


def table(title: str, samples: dict[str, list[float]], baseline: str, unit: str) -> list[str]:
    """`samples` in seconds; `unit` is "ms" or "us"."""
    scale, digits = {"ms": (1e3, 1), "us": (1e6, 0)}[unit]
    width = max(len(name) for name in samples) + 2
    reference = statistics.median(samples[baseline])
    lines = [
        f"{title} ({unit})",
        f"{'case':{width}} {'p50':>8} {'p95':>8} {'p99':>8} {'x baseline':>11}",
    ]
    for name, values in samples.items():
        p50, p95, p99 = (quantile(values, q) * scale for q in (0.5, 0.95, 0.99))
        ratio = statistics.median(values) / reference
        lines.append(
            f"{name:{width}} {p50:8.{digits}f} {p95:8.{digits}f} {p99:8.{digits}f} {ratio:11.3f}"
        )
    return lines


@dataclass(frozen=True)
class Target:
    """One figure with a target: met when `measured` is at most (or at least) `limit`."""

    name: str
    measured: float
    limit: float
    at_most: bool  # True: measured <= limit is met; False: measured >= limit
    unit: str = "x"

    @property
    def met(self) -> bool:
        return self.measured <= self.limit if self.at_most else self.measured >= self.limit

    def line(self, width: int) -> str:
        sign = "<=" if self.at_most else ">="
        measured = f"{self.measured:.3g}{self.unit}"
        target = f"{sign} {self.limit:g}{self.unit}"
        return f"{self.name:{width}} {measured:>12} {target:>12}  {'met' if self.met else 'MISSED'}"


def targets_table(title: str, targets: list[Target]) -> list[str]:
    if not targets:  # every section with a target left out (BENCH_SKIP)
        return [title, "no figure with a target was measured"]
    width = max(len(t.name) for t in targets) + 2
    return [
        title,
        f"{'figure':{width}} {'measured':>12} {'target':>12}",
        *(t.line(width) for t in targets),
    ]
