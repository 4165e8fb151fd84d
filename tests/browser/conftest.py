"""Browser tests: the stack as `make local` runs it (the gateway under uvicorn, serving the
built web app and the API, and the queue runner), started the same way as tests/e2e."""

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import wait_until

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session", autouse=True)
def _services(database: str) -> None:
    """The database and LocalStack resources exist before the processes start."""


# Package scope: the runner must be gone before later packages (e2e, integration) run, or it
# would race them for every queued message.
@pytest.fixture(scope="package")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = _free_port()
    logs = tmp_path_factory.mktemp("browser-logs")
    processes = []
    for name, command in (
        (
            "gateway",
            [sys.executable, "-m", "uvicorn", "infra.local.gateway:app", "--port", str(port)],
        ),
        ("runner", [sys.executable, "-m", "infra.local.runner"]),
    ):
        log = (logs / f"{name}.log").open("wb")
        processes.append(
            subprocess.Popen(command, cwd=ROOT, env=os.environ.copy(), stdout=log, stderr=log)
        )
    url = f"http://127.0.0.1:{port}"

    def healthy() -> bool:
        try:
            return httpx.get(f"{url}/api/v1/health", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    try:
        wait_until(healthy, timeout=60)
        yield url
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(15)
