"""Where a submission's CPU goes, step by step. P4 falls behind where the machine's cores run
out (its "at most N requests/s" line); this says which process and which step spends them,
so work on P4 has a figure to move that concurrency and queueing do not blur.

The runner is paused (SIGSTOP) once its long polls have returned empty, so it holds no
message; `BENCH_STEP_REQUESTS` submissions are sent one at a time through the gateway; then
each queue is drained in this process, one batch at a time, and each function is charged the
thread CPU time of its polls and invocations (receive, handle, delete: what Lambda's poller
and the function do between them). The gateway's, PostgreSQL's and LocalStack's CPU come
from /proc over the same spans. Nothing runs concurrently, so no figure includes another's
work, except what else the machine runs (PostgreSQL's figure counts every database).
Context, not a target."""

import logging
import os
import signal
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager

import httpx

from benchmarks.harness import cpu_seconds, pid_of, queue_depths
from tests.support import Api

REQUESTS = int(os.environ.get("BENCH_STEP_REQUESTS", "60"))
IDLE_TIMEOUT_SECONDS = 120


def postgres_cpu_seconds() -> float:
    """CPU time every PostgreSQL process (server, backends, writers) has used so far."""
    total = 0.0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/comm") as comm:
                if comm.read().strip() != "postgres":
                    continue
        except OSError:
            continue
        total += cpu_seconds(int(entry))
    return total


def _queues_idle() -> bool:
    """No message waiting or in flight on any of the pipeline's queues."""
    from shared.messaging.topology import QUEUES

    return not any(queue_depths([queue.name for queue in QUEUES]).values())


@contextmanager
def runner_paused(runner_pid: int) -> Iterator[None]:
    """The runner stopped, holding no message: first every queue idle (what the runner had
    is handled), then stopped, then a long poll's length, so that the polls it had open
    return empty before anything is sent. Resumed on exit, whatever happens."""
    from infra.local.runner import LONG_POLL_SECONDS

    deadline = time.monotonic() + IDLE_TIMEOUT_SECONDS
    while not _queues_idle():
        if time.monotonic() > deadline:
            raise RuntimeError("the pipeline's queues did not empty before the step costs")
        time.sleep(1)
    os.kill(runner_pid, signal.SIGSTOP)
    try:
        time.sleep(LONG_POLL_SECONDS + 1)
        yield
    finally:
        os.kill(runner_pid, signal.SIGCONT)


EMPTY_POLLS = "empty polls (the drain's own)"


def drain_charging_functions(max_rounds: int = 50) -> dict[str, float]:
    """Drain every queue in this process, as `infra.local.runner.drain` does; the thread CPU
    seconds each function's polls and invocations took. A poll that finds its queue empty
    is the drain's, not a step's: Lambda's poller does not bill it to the function."""
    from infra.local.runner import poll_once
    from shared.messaging.topology import QUEUES

    spent: dict[str, float] = defaultdict(float)
    for _ in range(max_rounds):
        received = 0
        for queue in QUEUES:
            started = time.thread_time()
            messages = poll_once(queue)
            spent[queue.function if messages else EMPTY_POLLS] += time.thread_time() - started
            received += messages
        if received == 0:
            return dict(spent)
    raise RuntimeError("queues did not drain")


def run(gateway: str, pids: dict[str, int]) -> list[str]:
    localstack = pid_of("localstack.runtime.main")

    def readings() -> dict[str, float]:
        """CPU seconds used so far by the gateway, PostgreSQL and LocalStack."""
        return {
            "gateway": cpu_seconds(pids["gateway"]),
            "PostgreSQL": postgres_cpu_seconds(),
            "LocalStack": cpu_seconds(localstack) if localstack else 0.0,
        }

    def spent(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
        return {name: after[name] - before[name] for name in before}

    with httpx.Client(base_url=gateway, timeout=60) as http:
        api = Api(http)
        applicant = api.login(api.register("bench-steps"))
        with runner_paused(pids["runner"]):
            before = readings()
            for _ in range(REQUESTS):
                api.submit(applicant)
            submitted = readings()
            # The steps' own log lines would fill the report; the runner's log has them.
            logging.disable(logging.INFO)
            try:
                functions = drain_charging_functions()
            finally:
                logging.disable(logging.NOTSET)
            drained = readings()
    drain_own = functions.pop(EMPTY_POLLS, 0.0)
    steps = spent(submitted, drained)
    del steps["gateway"]  # idle while the steps run in this process
    phases = {"submit": spent(before, submitted), "steps": {**functions, **steps}}
    return report(phases, REQUESTS, drain_own)


def report(phases: dict[str, dict[str, float]], requests: int, drain_own: float = 0.0) -> list[str]:
    """Each phase's CPU by part (seconds in all), in ms per submission, and the rate the
    machine's cores could carry at that cost were nothing else running; `drain_own`, the
    drain's empty polls, is shown apart and not counted."""
    lines = [
        f"Step costs: {requests} submissions one at a time with the runner paused, then each "
        "queue drained in this process (CPU ms per submission)"
    ]
    total = 0.0
    for phase, parts in phases.items():
        per_request = {name: seconds / requests * 1e3 for name, seconds in parts.items()}
        total += sum(per_request.values())
        lines.append(
            f"  {phase}: " + ", ".join(f"{name} {ms:.1f}" for name, ms in per_request.items())
        )
    cores = os.cpu_count() or 1
    lines.append(
        f"  in all {total:.1f}; at that cost {cores} cores carry at most "
        f"{cores * 1e3 / total:.1f} submissions/s, were nothing else running"
    )
    if drain_own:
        lines.append(f"  (not counted: {EMPTY_POLLS} {drain_own / requests * 1e3:.1f})")
    return lines
