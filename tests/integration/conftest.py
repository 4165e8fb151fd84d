"""Integration tests: the gateway app in-process (every call goes through the function's
Lambda entry point), real Postgres, Redis and LocalStack, and the queues drained
synchronously after each action so each test sees the whole cascade deterministically
(the `client`, `api` and `drain` fixtures of tests/conftest.py)."""

import pytest


@pytest.fixture(scope="session", autouse=True)
def _services(database: str) -> None:
    """Every integration test needs the database and LocalStack resources."""
