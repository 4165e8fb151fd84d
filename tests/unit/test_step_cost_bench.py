"""The step costs benchmark (benchmarks/step_cost.py): each function is charged its own polls,
the drain's empty polls are kept apart, the per-submission arithmetic, and the runner it
pauses always resumes."""

import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from benchmarks import step_cost
from tests.conftest import wait_until


def _state(pid: int) -> str:
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]


def test_each_phase_is_shared_out_per_submission_and_bounds_the_rate(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(step_cost.os, "cpu_count", lambda: 2)
    phases = {
        "submit": {"gateway": 1.0, "PostgreSQL": 0.5},
        "steps": {"score": 1.5, "notify": 2.0, "LocalStack": 5.0},
    }
    lines = step_cost.report(phases, 100, drain_own=0.3)
    assert lines[1] == "  submit: gateway 10.0, PostgreSQL 5.0"
    assert lines[2] == "  steps: score 15.0, notify 20.0, LocalStack 50.0"
    # 100 ms a submission in all (the empty polls left out): 2 cores carry at most 20/s.
    assert lines[3] == (
        "  in all 100.0; at that cost 2 cores carry at most 20.0 submissions/s, "
        "were nothing else running"
    )
    assert lines[4] == f"  (not counted: {step_cost.EMPTY_POLLS} 3.0)"
    assert len(step_cost.report(phases, 100)) == 4


def test_a_poll_is_charged_to_its_function_unless_it_found_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import infra.local.runner
    import shared.messaging.topology

    queues = [SimpleNamespace(function="score"), SimpleNamespace(function="notify")]
    # score's queue holds two batches, notify's one; then both are empty.
    batches = {"score": [10, 5], "notify": [3]}
    clock = iter(range(1000))

    def poll_once(queue: Any) -> int:
        return batches[queue.function].pop(0) if batches[queue.function] else 0

    monkeypatch.setattr(shared.messaging.topology, "QUEUES", queues)
    monkeypatch.setattr(infra.local.runner, "poll_once", poll_once)
    monkeypatch.setattr(step_cost, "time", SimpleNamespace(thread_time=lambda: float(next(clock))))
    # Each poll "takes" one second: two of score's, one of notify's, and three empty ones
    # (notify's in the second round, both in the third).
    assert step_cost.drain_charging_functions() == {
        "score": 2.0,
        "notify": 1.0,
        step_cost.EMPTY_POLLS: 3.0,
    }


def test_the_runner_is_paused_inside_and_resumed_after_even_on_failure(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(step_cost, "_queues_idle", lambda: True)
    waits: list[float] = []
    # The module's clock alone: wait_until below sleeps for real.
    monkeypatch.setattr(
        step_cost, "time", SimpleNamespace(monotonic=time.monotonic, sleep=waits.append)
    )
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        with pytest.raises(RuntimeError), step_cost.runner_paused(child.pid):
            # It waited a long poll's length for the polls it had open to come back empty.
            from infra.local.runner import LONG_POLL_SECONDS

            assert waits == [LONG_POLL_SECONDS + 1]
            assert wait_until(lambda: _state(child.pid) == "T", timeout=10)  # stopped
            raise RuntimeError("the submissions failed")
        assert wait_until(lambda: _state(child.pid) != "T", timeout=10)  # running again
    finally:
        child.kill()
        child.wait()


def test_a_pipeline_that_does_not_go_idle_is_not_paused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(step_cost, "_queues_idle", lambda: False)
    monkeypatch.setattr(step_cost, "IDLE_TIMEOUT_SECONDS", 0)
    monkeypatch.setattr(
        step_cost, "time", SimpleNamespace(monotonic=time.monotonic, sleep=lambda _: None)
    )
    stopped: list[int] = []
    monkeypatch.setattr(step_cost.os, "kill", lambda pid, sig: stopped.append(pid))
    with pytest.raises(RuntimeError, match="did not empty"), step_cost.runner_paused(12345):
        pass
    assert stopped == []
