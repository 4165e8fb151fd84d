"""Security tests: attacks on the API the way the OWASP API Security Top 10 (2023) describes
them, against the same stack as the integration tests (the gateway in-process, every call
through the function's Lambda entry point, real Postgres, Redis and LocalStack, queues
drained synchronously)."""

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import running_stack
from tests.support import Api, Person

ROOT = Path(__file__).resolve().parents[2]
ROLES = ("applicant", "analyst", "manager", "director", "admin", "risk_officer")


@pytest.fixture(scope="session", autouse=True)
def _services(database: str) -> None:
    """Every security test needs the database and LocalStack resources."""


def client_at(address: str) -> TestClient:
    """A client whose requests come from `address` (the source IP the gateway sees), so a
    test of per-address throttling neither suffers nor causes throttling elsewhere."""
    from infra.local.gateway import app

    return TestClient(app, raise_server_exceptions=False, client=(address, 50000))


def unique_address() -> str:
    """A loopback-range label, unique per call: only ever a string in the ASGI scope."""
    n = uuid.uuid4().int
    return f"127.{(n >> 16) % 250 + 2}.{(n >> 8) % 256}.{n % 250 + 2}"


@dataclass(frozen=True)
class Caller:
    role: str
    person: Person
    auth: dict[str, str]


@pytest.fixture(scope="module")
def callers(client: TestClient, staff: dict[str, Person]) -> dict[str, Caller]:
    """One signed-in user of each role: a fresh applicant, and the first staff user of each
    staff role (one set per test module)."""
    api = Api(client)
    applicant = api.register()
    people = {
        "applicant": applicant,
        **{role: staff[f"{role}1"] for role in ROLES if role != "applicant"},
    }
    return {role: Caller(role, person, api.login(person)) for role, person in people.items()}


@dataclass(frozen=True)
class LiveServer:
    url: str
    log: Path


@pytest.fixture(scope="package")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The gateway under uvicorn on a free loopback port, with uvicorn's access log ON (as
    anyone might run it), writing to a file the tests read."""
    logs = tmp_path_factory.mktemp("live")
    metrics = str(tmp_path_factory.mktemp("metrics"))
    with running_stack(
        logs, runner=False, access_log=True, PROMETHEUS_MULTIPROC_DIR=metrics
    ) as url:
        yield LiveServer(url, logs / "gateway.log")


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """One line after the run: how many cases the Schemathesis runs generated."""
    runs = [
        (report.nodeid, value)
        for outcome in ("passed", "failed")
        for report in terminalreporter.stats.get(outcome, [])
        if report.when == "call"
        for name, value in getattr(report, "user_properties", [])
        if name == "schemathesis_cases"
    ]
    if runs:
        per_run = ", ".join(f"{nodeid.rsplit('[', 1)[-1].rstrip(']')} {n}" for nodeid, n in runs)
        terminalreporter.write_line(
            f"Schemathesis: {sum(n for _, n in runs)} cases generated in {len(runs)} runs "
            f"({per_run})"
        )
