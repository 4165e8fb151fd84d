"""Browser tests: the stack as `make local` runs it (the gateway under uvicorn, serving the
built web app and the API, and the queue runner), started the same way as tests/e2e."""

from collections.abc import Iterator

import pytest

from tests.conftest import running_stack


@pytest.fixture(scope="session", autouse=True)
def _services(database: str) -> None:
    """The database and LocalStack resources exist before the processes start."""


# Package scope: the runner must be gone before later packages (e2e, integration) run, or it
# would race them for every queued message.
@pytest.fixture(scope="package")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with running_stack(tmp_path_factory.mktemp("browser-logs")) as url:
        yield url
