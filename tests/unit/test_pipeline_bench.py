"""P4's report (benchmarks/pipeline.py): requests are split into parts of the run by when they
were created, so the per-part figures show a lag that grows with the run apart from one that
builds and then holds; and the reference run's load follows P4's unless told otherwise."""

from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from benchmarks import pipeline
from benchmarks.pipeline import PipelineRun

START = datetime(2026, 12, 2, tzinfo=UTC)


def _run(lags: dict[str, float]) -> PipelineRun:
    """Request `i` created at second `i` (ids listed newest first, as answers may arrive),
    its chain built 0.1 s later and its approver emailed `lags[i]` seconds after creation."""
    journeys = {
        i: {
            "credit_request.created": START + timedelta(seconds=int(i)),
            "credit_request.chain_built": START + timedelta(seconds=int(i) + 0.1),
            "approver_email": START + timedelta(seconds=int(i) + lag),
        }
        for i, lag in lags.items()
    }
    ids = sorted(lags, key=int, reverse=True)
    return PipelineRun(
        1, len(ids), len(ids), 1, ids, Counter({202: len(ids)}), len(ids), 60, journeys, {}
    )


def test_parts_follow_creation_order_and_leave_no_request_out() -> None:
    run = _run({str(i): 1.0 for i in range(13)})
    parts = run.parts(6)
    assert len(parts) == 6
    assert [i for part in parts for i in part] == [str(i) for i in range(13)]
    assert {len(part) for part in parts} == {2, 3}
    assert run.halves() == ([str(i) for i in range(6)], [str(i) for i in range(6, 13)])


def test_a_lag_that_grows_with_the_run_shows_part_by_part() -> None:
    growing = _run({str(i): 0.5 * i for i in range(12)})
    assert growing.p50s("approver_email", 6) == "0.00, 1.00, 2.00, 3.00, 4.00, 5.00"
    assert growing.p50s("credit_request.chain_built", 3) == "0.10, 0.10, 0.10"
    report = "\n".join(growing.report("P4"))
    assert "approver email 0.00, 1.00, 2.00, 3.00, 4.00, 5.00" in report
    held = _run({str(i): min(3.0, float(i)) for i in range(12)})
    assert held.p50s("approver_email", 6) == "0.00, 2.00, 3.00, 3.00, 3.00, 3.00"


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, (10.0, 30.0)),
        ({"BENCH_RATE": "14", "BENCH_SECONDS": "40"}, (7.0, 20.0)),
        ({"BENCH_REFERENCE_RATE": "8", "BENCH_REFERENCE_SECONDS": "12"}, (8.0, 12.0)),
    ],
)
def test_the_reference_runs_at_half_of_p4s_load_unless_told(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], expected: tuple[float, float]
) -> None:
    for name in ("BENCH_RATE", "BENCH_SECONDS", "BENCH_REFERENCE_RATE", "BENCH_REFERENCE_SECONDS"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    loads: list[tuple[float, float]] = []

    def measure(gateway: str, pids: dict[str, int], rate: float, seconds: float) -> Any:
        loads.append((rate, seconds))
        return _run({"0": 1.0})

    monkeypatch.setattr(pipeline, "measure", measure)
    lines = pipeline.reference("http://gateway", {})
    assert loads == [expected]
    assert lines[0].startswith("P4 reference, same stack")


def test_cpu_is_shared_out_per_request_and_bounds_the_rate(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    run = _run({str(i): 1.0 for i in range(24)})  # 24 requests over a 60 s wall
    run.cores = {"runner": 0.5, "whole machine": 1.6}
    assert run.cpu_ms_per_request() == pytest.approx({"runner": 1250.0, "whole machine": 4000.0})
    monkeypatch.setattr(pipeline.os, "cpu_count", lambda: 2)
    # 4 s of CPU a request on 2 cores: half a request a second at most.
    assert run.capacity() == [
        "CPU per accepted request (ms): runner 1250, whole machine 4000; "
        "at that cost 2 cores carry at most 0.5 requests/s"
    ]
    assert run.capacity()[0] in run.report("P4")
    run.cores = {}
    assert run.capacity() == []
