"""End-to-end: the stack as `make local` runs it — the gateway under uvicorn and the queue
runner as separate processes — driven over real HTTP, emails read from LocalStack's SES."""

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import running_stack
from tests.support import Api


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
    metrics = str(tmp_path_factory.mktemp("metrics"))  # gateway and runner add up here
    with running_stack(logs, PROMETHEUS_MULTIPROC_DIR=metrics) as url:
        yield url


@pytest.fixture
def api(base_url: str) -> Iterator[Api]:
    with httpx.Client(base_url=base_url, timeout=30) as http:
        yield Api(http)
