"""Test settings, fixed before any application module reads them.

Integration and end-to-end tests run against real PostgreSQL, Redis and LocalStack (started
by `make test` when they are not already running). Each test session gets its own database
and its own LocalStack resource prefix, so runs never see each other's data or messages.
"""

import os
import uuid

from sqlalchemy.engine import make_url

RUN_ID = uuid.uuid4().hex[:8]
_server = make_url(
    os.environ.get("DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/credit")
)

os.environ.update(
    {
        "ENVIRONMENT": "test",
        "DATABASE_URL": _server.set(database=f"credit_test_{RUN_ID}").render_as_string(
            hide_password=False
        ),
        "RESOURCE_PREFIX": f"test-{RUN_ID}",
        "PUBLIC_URL": "http://app.test",
        "MAIL_FROM": "credit-approvals@example.com",
        # The suite registers hundreds of accounts from one address; the throttle's own
        # tests lower the limit (tests/security/test_accounts.py).
        "REGISTRATIONS_PER_ADDRESS": "100000",
    }
)
os.environ.setdefault("AWS_ENDPOINT_URL", "http://127.0.0.1:4566")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/0")

# Fixtures below are shared by the integration and end-to-end suites; unit tests use none.
from collections.abc import Callable, Iterator  # noqa: E402
from contextlib import contextmanager  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import httpx  # noqa: E402
import pytest  # noqa: E402

from tests.support import STAFF_PASSWORD, Api, Person  # noqa: E402


@pytest.fixture(scope="session")
def database() -> Iterator[str]:
    """A fresh, migrated database and this run's LocalStack resources."""
    from alembic import command
    from alembic.config import Config
    from sqlalchemy import create_engine, text

    from infra.local.provision import provision
    from infra.local.stack import ensure_database
    from shared.db import get_engine

    url = os.environ["DATABASE_URL"]
    ensure_database(url)
    config = Config("alembic.ini")
    config.attributes["configure_logger"] = False
    command.upgrade(config, "head")
    provision()
    yield url
    get_engine().dispose()
    admin = create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def staff(database: str) -> dict[str, Person]:
    """Two users of each approving role, two admins and two risk officers, all with
    STAFF_PASSWORD."""
    from shared.db import unit_of_work
    from shared.users.schemas import UserCreate
    from shared.users.service import register
    from shared.workflow.states import Role

    people: dict[str, Person] = {}
    with unit_of_work() as session:
        for role in (Role.ANALYST, Role.MANAGER, Role.DIRECTOR, Role.ADMIN, Role.RISK_OFFICER):
            for n in (1, 2):
                name = f"{role.value}{n}-{RUN_ID}"
                email = f"{name}@example.com"
                # A full name apart from the username: what applicants see of staff (a first
                # name) must be told apart from what they must not (the username).
                full_name = f"{role.value.title().replace('_', '')}{n} Staff"
                user = register(
                    session,
                    UserCreate(
                        username=name, email=email, password=STAFF_PASSWORD, full_name=full_name
                    ),
                    role=role,
                    verified=True,
                )
                people[f"{role.value}{n}"] = Person(
                    user.id, name, email, STAFF_PASSWORD, role.value
                )
    return people


@pytest.fixture(scope="session")
def client() -> Iterator[Any]:
    """The gateway app in-process: every call still goes through the function's Lambda entry
    point. The default for integration and security tests; e2e and browser tests override
    `api` to talk to real processes over HTTP."""
    from fastapi.testclient import TestClient

    from infra.local.gateway import app

    with TestClient(app, raise_server_exceptions=False) as http:
        yield http


@pytest.fixture
def api(client: Any) -> Api:
    return Api(client)


@pytest.fixture
def drain() -> Callable[[], None]:
    """Run every step's queue until empty: the full cascade of the last action."""
    from infra.local.runner import drain as drain_queues

    return drain_queues


def assigned_request(
    api: Api,
    staff: dict[str, Person],
    drain: Callable[[], None],
    mailbox: "Mailbox",
    **changes: Any,
) -> tuple[dict[str, str], str, Person, str]:
    """A new request routed to its first approver: (applicant auth, request id, approver,
    the token of the link in the approver's email)."""
    from tests.support import link_token

    applicant = api.register()
    auth = api.login(applicant)
    request_id = api.submit(auth, **changes)["id"]
    drain()
    approver = api.assignee(staff, request_id)
    email = next(m for m in mailbox.to(approver.email) if request_id[:8] in m["Subject"])
    return auth, request_id, approver, link_token(email)


@dataclass
class Mailbox:
    endpoint: str

    def to(self, address: str) -> list[dict[str, Any]]:
        response = httpx.get(f"{self.endpoint}/_aws/ses", timeout=10)
        response.raise_for_status()
        return [
            m for m in response.json()["messages"] if address in m["Destination"]["ToAddresses"]
        ]


@pytest.fixture(scope="session")
def mailbox() -> Mailbox:
    """The emails LocalStack's SES has accepted (LocalStack keeps every sent message)."""
    return Mailbox(os.environ["AWS_ENDPOINT_URL"])


def wait_until(check: Callable[[], Any], timeout: float = 30, interval: float = 0.25) -> Any:
    """Poll until `check` returns something truthy; for asynchronous effects in e2e tests."""
    import time

    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s")
        time.sleep(interval)


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def running_stack(
    logs: Path, *, runner: bool = True, access_log: bool = False, **env: str
) -> Iterator[str]:
    """The gateway under uvicorn on a free loopback port — and the queue runner, unless
    `runner=False` — as `make local` runs them; each writes `<logs>/<name>.log`. Yields the
    base URL once the gateway answers; stops both on exit."""
    import subprocess
    import sys

    port = free_port()
    gateway = [sys.executable, "-m", "uvicorn", "infra.local.gateway:app"]
    gateway += ["--host", "127.0.0.1", "--port", str(port)]
    if not access_log:
        gateway.append("--no-access-log")
    commands = {"gateway": gateway}
    if runner:
        commands["runner"] = [sys.executable, "-m", "infra.local.runner"]
    root = Path(__file__).resolve().parents[1]
    processes = []
    for name, command in commands.items():
        with (logs / f"{name}.log").open("wb") as log:
            processes.append(
                subprocess.Popen(
                    command,
                    cwd=root,
                    env={"FORWARDED_ALLOW_IPS": "", **os.environ, **env},
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
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
