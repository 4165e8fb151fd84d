"""`make local` / `make test` stop everything they started when asked to stop: SIGTERM (a
process manager, `timeout`) as well as Ctrl-C."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie (exited, not yet reaped by a parent that is gone) counts as stopped.
    with open(f"/proc/{pid}/stat") as stat:
        return stat.read().split(") ", 1)[1][0] != "Z"


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_the_stack_stops_what_it_started(database: str, tmp_path: Path, signum: int) -> None:
    pid_file = tmp_path / "child.pid"
    stack = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "infra.local.stack",
            "run",
            "sh",
            "-c",
            f"echo $$ > {pid_file}; exec sleep 300",
        ],
        # As a shell's background job: SIGINT ignored unless the stack takes it back.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN),
    )
    child: int | None = None
    try:
        deadline = time.monotonic() + 60
        while not pid_file.exists() or not pid_file.read_text().strip():
            assert time.monotonic() < deadline and stack.poll() is None, "the command did not start"
            time.sleep(0.2)
        child = int(pid_file.read_text())

        stack.send_signal(signum)
        stack.wait(30)
        deadline = time.monotonic() + 10
        while _alive(child) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not _alive(child), "the command outlived the stack"
    finally:  # leave nothing behind, whatever failed
        stack.kill()
        if child is not None and _alive(child):
            os.kill(child, signal.SIGKILL)
