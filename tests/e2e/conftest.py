"""End-to-end: the stack as `make local` runs it — the gateway under uvicorn and the queue
runner as separate processes — driven over real HTTP, emails read from LocalStack's SES."""

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import wait_until
from tests.support import Api

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session", autouse=True)
def _services(database: str) -> None:
    """The database and LocalStack resources exist before the processes start."""


# Package scope: the runner must be gone before the integration tests drain the queues
# themselves, or it would race them for every message.
@pytest.fixture(scope="package")
def logs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the gateway and runner write their (JSON) log lines."""
    return tmp_path_factory.mktemp("e2e-logs")


@pytest.fixture(scope="package")
def base_url(logs: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = _free_port()
    env = {
        **os.environ,
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path_factory.mktemp("metrics")),
    }
    processes = []
    for name, command in (
        (
            "gateway",
            [
                sys.executable,
                "-m",
                "uvicorn",
                "infra.local.gateway:app",
                "--port",
                str(port),
                "--no-access-log",
            ],
        ),
        ("runner", [sys.executable, "-m", "infra.local.runner"]),
    ):
        log = (logs / f"{name}.log").open("wb")
        processes.append(subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log))
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


@pytest.fixture
def api(base_url: str) -> Iterator[Api]:
    with httpx.Client(base_url=base_url, timeout=30) as http:
        yield Api(http)
