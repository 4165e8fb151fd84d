"""Integration tests: the gateway app in-process (every call goes through the function's
Lambda entry point), real Postgres, Redis and LocalStack, and the queues drained
synchronously after each action so each test sees the whole cascade deterministically."""

from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient

from tests.support import Api


@pytest.fixture(scope="session", autouse=True)
def _services(database: str) -> None:
    """Every integration test needs the database and LocalStack resources."""


@pytest.fixture(scope="session")
def client() -> Iterator[TestClient]:
    from infra.local.gateway import app

    with TestClient(app, raise_server_exceptions=False) as http:
        yield http


@pytest.fixture
def api(client: TestClient) -> Api:
    return Api(client)


@pytest.fixture
def drain() -> Callable[[], None]:
    """Run every step's queue until empty: the full cascade of the last action."""
    from infra.local.runner import drain as drain_queues

    return drain_queues
