"""`make test` / `stack run` stop cleanly when asked to: SIGTERM (a process manager,
`timeout`) as well as Ctrl-C. The command they run (pytest) is told to stop, once, and given
time to clean up what it started, instead of being killed."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support import alive


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_the_command_is_asked_to_stop_and_cleans_up(
    database: str, tmp_path: Path, signum: int
) -> None:
    pid_file, cleaned = tmp_path / "child.pid", tmp_path / "cleaned"
    stack = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "infra.local.stack",
            "run",
            "sh",
            "-c",
            # Cleans up as pytest would on Ctrl-C: by its own handler, then exits.
            f"trap 'kill $!; echo cleaned > {cleaned}; exit 0' INT TERM; "
            f"echo $$ > {pid_file}; sleep 300 & wait",
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
        while alive(child) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not alive(child), "the command outlived the stack"
        assert cleaned.exists(), "the command was killed instead of asked to stop"
    finally:  # leave nothing behind, whatever failed
        stack.kill()
        if child is not None and alive(child):
            os.kill(child, signal.SIGKILL)
