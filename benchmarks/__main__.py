"""`make bench`: every figure the performance targets name, each next to its target, as
ratios against baselines measured in the same run, on a stack of the run's own (see
benchmarks.harness). Environment knobs, for a loaded machine or a quick look:
BENCH_SECONDS (P4 run length, 60), BENCH_RATE (submissions a second, 20), BENCH_APPLICANTS
(20), BENCH_REFERENCE_RATE and BENCH_REFERENCE_SECONDS (P4's reference run, after it: half of
BENCH_RATE and of BENCH_SECONDS), BENCH_HTTP_SECONDS (per P2 case, 10), BENCH_CONNECTIONS (16),
BENCH_RAW_SECONDS (5), BENCH_IMPORT_RUNS (10), BENCH_STEP_REQUESTS (the step costs' submissions,
60); BENCH_SKIP leaves sections out (comma-separated: p1, ceiling, p2, p4, p4ref, steps,
policy).

    python -m infra.local.stack run -- .venv/bin/python -m benchmarks

`python -m benchmarks soak [--seconds 600 ...]` is the soak instead (`make soak`,
benchmarks.soak): ten minutes of mixed traffic, not part of `make bench`.
"""

import os
import platform
import subprocess
import sys
import uuid

from benchmarks import harness


def _machine() -> str:
    load = ", ".join(f"{n:.2f}" for n in os.getloadavg())
    return (
        f"{os.cpu_count()} CPUs ({platform.processor() or platform.machine()}), "
        f"load average {load}, Python {platform.python_version()}"
    )


def _settled(gateway: str, applicant: dict[str, str], count: int) -> None:
    """Give an applicant `count` requests, moved through the pipeline (the P2 list reads)."""
    import httpx

    from benchmarks.pipeline import _wait_for
    from tests.support import Api

    with httpx.Client(base_url=gateway, timeout=60) as http:
        ids = [Api(http).submit(applicant)["id"] for _ in range(count)]
    _wait_for(ids)


def _in_own_process(module: str, runs: int) -> list[str]:
    """A benchmark that makes its own database, run in a process of its own."""
    result = subprocess.run(
        [sys.executable, "-m", module, "--runs", str(runs)],
        capture_output=True,
        text=True,
        check=True,
        env=os.environ | {"DATABASE_URL": harness.SERVER_URL},
    )
    return result.stdout.splitlines()


def main() -> None:
    if sys.argv[1:2] == ["soak"]:
        from benchmarks import soak

        soak.main(sys.argv[2:])
        return
    harness.configure()
    from benchmarks import cold_start, http_paths, localstack_ceiling, pipeline, step_cost
    from benchmarks.report import Target, targets_table

    skip = set(os.environ.get("BENCH_SKIP", "").split(","))
    targets: list[Target] = []

    def section(lines: list[str], found: list[Target] | None = None) -> None:
        targets.extend(found or [])
        sys.stdout.write("\n".join([*lines, ""]) + "\n")
        sys.stdout.flush()

    section([f"Machine: {_machine()}"])
    # Before the stack starts, so nothing of this run competes with the imports.
    if "p1" not in skip:
        section(*cold_start.run(int(os.environ.get("BENCH_IMPORT_RUNS", "10"))))
    with harness.running() as stack:
        import httpx

        from tests.support import Api, Person

        if "ceiling" not in skip:
            section(localstack_ceiling.run()[0])
        if "p2" not in skip:
            with httpx.Client(base_url=stack.gateway, timeout=60) as http:
                api = Api(http)
                applicant = api.login(api.register("bench-reader"))
                analyst = Person(uuid.uuid4(), "analyst", "", harness.STAFF_PASSWORD, "analyst")
                staff = api.login(analyst)
            _settled(stack.gateway, applicant, 10)
            section(*http_paths.run(stack.gateway, stack.bare, applicant, staff))
        if "p4" not in skip:
            section(*pipeline.run(stack.gateway, stack.pids))
            if "p4ref" not in skip:
                # After P4, so P4's figures stay comparable with runs before this one.
                section(pipeline.reference(stack.gateway, stack.pids))
        if "steps" not in skip:
            # Last on the stack: it pauses the runner, and its emails join the mailbox.
            section(step_cost.run(stack.gateway, stack.pids))
    if "policy" not in skip:
        section(_in_own_process("benchmarks.policy_cache", 500))
        # Issue 12: a simulation over 10,000 stored requests in at most 5 s.
        section(_in_own_process("benchmarks.policy_simulation", 2))
    summary = targets_table("Targets (issue 9), this run", targets)
    missed = sum(not t.met for t in targets)
    summary.append(f"{len(targets) - missed} of {len(targets)} targets met. Machine: {_machine()}")
    sys.stdout.write("\n".join(summary) + "\n")


if __name__ == "__main__":
    main()
