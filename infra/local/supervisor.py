"""`make local`'s process supervisor: the gateway and the runner, restarted when they die.

What AWS does for the deployed functions (a crashed Lambda's next invocation gets a fresh
one), done here for the two long-running local processes: a child that exits while the stack
is up is logged and started again after a backoff — 1 s, doubling up to 30 s while it keeps
dying within a minute of its start, back to 1 s once it has run for a minute. Stopping the
stack (Ctrl-C, SIGTERM) stops the children and restarts nothing.

`python -m infra.local.supervisor` runs just the two children against services that already
run (the settings in the environment): the tests use it; `make local` goes through
`infra.local.stack up`, which starts the services first.
"""

import argparse
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

logger = logging.getLogger("stack")

ROOT = Path(__file__).resolve().parents[2]
BASE_DELAY_SECONDS = 1.0
MAX_DELAY_SECONDS = 30.0
STABLE_SECONDS = 60.0  # a child that ran this long is healthy again: its backoff resets
STOP_GRACE_SECONDS = 15.0
POLL_SECONDS = 0.2


@dataclass
class Child:
    name: str
    command: list[str]
    process: subprocess.Popen[bytes] | None = None
    started_at: float = 0.0
    failures: int = 0  # consecutive exits within STABLE_SECONDS of a start
    restart_at: float | None = None  # when a dead child is due to start again
    restarts: int = 0
    log: IO[bytes] | None = field(default=None, repr=False)


class Supervisor:
    def __init__(
        self,
        children: dict[str, list[str]],
        logs: Path,
        *,
        base_delay: float = BASE_DELAY_SECONDS,
        max_delay: float = MAX_DELAY_SECONDS,
        stable_seconds: float = STABLE_SECONDS,
    ) -> None:
        self.children = [Child(name, command) for name, command in children.items()]
        self.logs = logs
        self.base_delay, self.max_delay, self.stable_seconds = base_delay, max_delay, stable_seconds

    def delay(self, failures: int) -> float:
        """The backoff before the restart that follows `failures` consecutive quick exits."""
        return float(min(self.max_delay, self.base_delay * 2 ** max(0, failures - 1)))

    def start(self) -> None:
        for child in self.children:
            self._spawn(child)

    def _spawn(self, child: Child) -> None:
        self.logs.mkdir(parents=True, exist_ok=True)
        if child.log is None:
            child.log = (self.logs / f"{child.name}.log").open("ab")
        child.process = subprocess.Popen(
            child.command, stdout=child.log, stderr=subprocess.STDOUT, cwd=ROOT
        )
        child.started_at, child.restart_at = time.monotonic(), None
        logger.info("started %s (pid %s, log %s)", child.name, child.process.pid, child.log.name)

    def check(self) -> None:
        """One round: note the children that died, start those whose backoff is over."""
        now = time.monotonic()
        for child in self.children:
            if child.restart_at is not None:
                if now >= child.restart_at:
                    child.restarts += 1
                    self._spawn(child)
                continue
            assert child.process is not None
            code = child.process.poll()
            if code is None:
                continue
            _forget_metrics(child.process.pid)
            ran = now - child.started_at
            child.failures = 1 if ran >= self.stable_seconds else child.failures + 1
            wait = self.delay(child.failures)
            child.restart_at = now + wait
            how = f"signal {-code}" if code < 0 else f"code {code}"
            logger.warning(
                "%s (pid %s) exited with %s after %.1fs; restarting in %.1fs (restart %d)",
                child.name,
                child.process.pid,
                how,
                ran,
                wait,
                child.restarts + 1,
            )

    def run(self, stop: threading.Event) -> None:
        """Supervise until `stop` is set (or the caller is interrupted); then call `stop`."""
        while not stop.wait(POLL_SECONDS):
            self.check()

    def stop(self) -> None:
        """Ask every child to stop (SIGINT, as Ctrl-C would), then kill what lingers."""
        for child in self.children:
            if child.process is not None and child.process.poll() is None:
                child.process.send_signal(signal.SIGINT)
        deadline = time.monotonic() + STOP_GRACE_SECONDS
        for child in self.children:
            if child.process is not None:
                try:
                    child.process.wait(max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    child.process.kill()
                    child.process.wait()
            if child.log is not None:
                child.log.close()
        logger.info("stopped %s", ", ".join(c.name for c in self.children))


def _forget_metrics(pid: int) -> None:
    """A dead process's live gauges must not be added into /metrics any more."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(pid)


def workflow_processes(port: str) -> dict[str, list[str]]:
    """The gateway and the runner, as `make local` runs them."""
    python = sys.executable
    return {
        "gateway": [
            python,
            "-m",
            "uvicorn",
            "infra.local.gateway:app",
            "--host",
            "127.0.0.1",
            "--port",
            port,
            # The gateway logs each request by route template; uvicorn's access log
            # would print raw paths, and approval-link paths carry a token.
            "--no-access-log",
        ],
        "runner": [python, "-m", "infra.local.runner"],
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", default=os.environ.get("PORT", "8000"))
    parser.add_argument("--logs", type=Path, default=ROOT / ".local")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    # As `make local`: SIGTERM stops like Ctrl-C, and so does SIGINT in a background job.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    supervisor = Supervisor(workflow_processes(args.port), args.logs)
    supervisor.start()
    try:
        supervisor.run(threading.Event())
    except KeyboardInterrupt:
        logger.info("stopping")
    finally:
        supervisor.stop()


if __name__ == "__main__":
    main()
