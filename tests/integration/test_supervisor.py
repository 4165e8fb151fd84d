"""`make local` heals itself: the supervisor (infra/local/supervisor.py) restarts a gateway or
runner that was SIGKILLed, the workflow goes on through the new one, and stopping the stack
stops both without restarting anything."""

import logging
import os
import re
import signal
import subprocess
import sys
import time
from functools import partial
from pathlib import Path

import httpx
import pytest

from infra.local.runner import LONG_POLL_SECONDS
from infra.local.supervisor import Supervisor
from tests.conftest import free_port, wait_until
from tests.support import Api, alive

logger = logging.getLogger(__name__)
STARTED = re.compile(r"started (gateway|runner) \(pid (\d+)")


def _pids(log: Path) -> dict[str, list[int]]:
    """Every pid each child was started with, in order."""
    pids: dict[str, list[int]] = {"gateway": [], "runner": []}
    for name, pid in STARTED.findall(log.read_text()):
        pids[name].append(int(pid))
    return pids


def _restarted(log: Path, name: str, starts: int) -> bool:
    return len(_pids(log)[name]) > starts


def _scored(api: Api) -> None:
    """A new submission leaves `submitted`: the runner consumed its event and scored it."""
    auth = api.login(api.register())
    request_id = api.submit(auth)["id"]
    wait_until(lambda: api.request(auth, request_id)["status"] != "submitted", timeout=60)


def test_a_killed_runner_or_gateway_comes_back_and_a_stop_restarts_nothing(
    database: str, tmp_path: Path
) -> None:
    port = free_port()
    log = tmp_path / "supervisor.log"
    command = [sys.executable, "-m", "infra.local.supervisor", "--port", str(port)]
    with log.open("wb") as out:
        supervisor = subprocess.Popen(
            [*command, "--logs", str(tmp_path)],
            env={"FORWARDED_ALLOW_IPS": "", **os.environ},
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"

    def healthy() -> bool:
        try:
            return httpx.get(f"{url}/api/v1/health", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    try:
        wait_until(healthy, timeout=60)
        with httpx.Client(base_url=url, timeout=30) as http:
            api = Api(http)
            _scored(api)

            for name in ("runner", "gateway"):
                before = _pids(log)[name]
                killed_at = time.monotonic()
                os.kill(before[-1], signal.SIGKILL)
                wait_until(partial(_restarted, log, name, len(before)), timeout=30)
                wait_until(healthy, timeout=60)
                if name == "runner":
                    # The dead runner's long polls stay open in SQS until their wait ends: a
                    # message arriving before that is handed to a process that is gone and
                    # waits out the visibility timeout (README, Failure modes). Submit after.
                    time.sleep(max(0.0, killed_at + LONG_POLL_SECONDS - time.monotonic()))
                _scored(api)
                # The README's failure-modes figure (pytest -o log_cli=true shows it).
                logger.info(
                    "%s: kill to a scored submission %.1fs", name, time.monotonic() - killed_at
                )
                assert re.search(
                    rf"{name} \(pid {before[-1]}\) exited with signal 9", log.read_text()
                )

        supervisor.send_signal(signal.SIGTERM)
        assert supervisor.wait(30) == 0
        last = {name: pids[-1] for name, pids in _pids(log).items()}
        assert not any(alive(pid) for pid in last.values()), "a child outlived the stack"
        stopped = log.read_text().split("stopping", 1)[1]
        assert "restarting" not in stopped and "started" not in stopped
        assert [len(p) for p in _pids(log).values()] == [2, 2]
    finally:  # leave nothing behind, whatever failed
        if supervisor.poll() is None:
            supervisor.kill()
        for pids in _pids(log).values():
            for pid in pids:
                if alive(pid):
                    os.kill(pid, signal.SIGKILL)


def test_the_backoff_doubles_to_a_cap_and_a_stable_run_resets_it(tmp_path: Path) -> None:
    supervisor = Supervisor({}, tmp_path, base_delay=1, max_delay=30, stable_seconds=60)
    assert [supervisor.delay(n) for n in range(1, 8)] == [1, 2, 4, 8, 16, 30, 30]


def test_a_child_that_keeps_crashing_is_restarted_with_growing_backoff(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    supervisor = Supervisor(
        {"crasher": [sys.executable, "-c", "raise SystemExit(3)"]},
        tmp_path,
        base_delay=0.1,
        max_delay=0.2,
        stable_seconds=60,
    )
    caplog.set_level("INFO", logger="stack")
    supervisor.start()
    try:
        child = supervisor.children[0]
        # Three deaths: the third is noted once the second restart has happened.
        while not (child.restarts == 2 and child.restart_at is not None):
            supervisor.check()
            time.sleep(0.02)
        assert child.failures == 3  # consecutive quick exits: none ran for `stable_seconds`
        notes = [r.getMessage() for r in caplog.records if "exited" in r.getMessage()]
        assert len(notes) == 3 and all("exited with code 3" in n for n in notes)
        assert [n.split("restarting in ")[1].split(" ")[0] for n in notes] == [
            "0.1s",
            "0.2s",
            "0.2s",
        ]
    finally:
        supervisor.stop()
