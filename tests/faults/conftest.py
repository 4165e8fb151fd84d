"""The fault-injection suite's stack: private PostgreSQL, Redis and LocalStack, and the
supervised gateway and runner, shared by the package's scenarios (each ends with every
invariant checked over everything that happened so far)."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.faults.stack import FaultStack
from tests.faults.traffic import register_applicants


@pytest.fixture(scope="package")
def fault_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FaultStack]:
    stack = FaultStack(Path(tmp_path_factory.mktemp("faults")))
    try:
        stack.start()
        yield stack
    finally:
        stack.stop()


@pytest.fixture(scope="package")
def applicants(fault_stack: FaultStack) -> list[tuple[str, str]]:
    """Verified applicants the traffic submits as: (username, password)."""
    return register_applicants(fault_stack.url, 20)


@pytest.fixture(scope="package")
def approvers() -> list[str]:
    from tests.faults.prepare import STAFF

    return [f"{role}{n}" for role in STAFF if role != "admin" for n in (1, 2)]
