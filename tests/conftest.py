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
    }
)
os.environ.setdefault("AWS_ENDPOINT_URL", "http://127.0.0.1:4566")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/0")

# Fixtures below are shared by the integration and end-to-end suites; unit tests use none.
from collections.abc import Callable, Iterator  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from typing import Any  # noqa: E402

import httpx  # noqa: E402
import pytest  # noqa: E402

from tests.support import STAFF_PASSWORD, Person  # noqa: E402


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
    """Two users of each approving role and an admin, all with STAFF_PASSWORD."""
    from shared.db import unit_of_work
    from shared.users.schemas import UserCreate
    from shared.users.service import register
    from shared.workflow.states import Role

    people: dict[str, Person] = {}
    with unit_of_work() as session:
        for role in (Role.ANALYST, Role.MANAGER, Role.DIRECTOR, Role.ADMIN):
            for n in (1, 2):
                name = f"{role.value}{n}-{RUN_ID}"
                email = f"{name}@example.com"
                user = register(
                    session,
                    UserCreate(username=name, email=email, password=STAFF_PASSWORD, full_name=name),
                    role=role,
                )
                people[f"{role.value}{n}"] = Person(
                    user.id, name, email, STAFF_PASSWORD, role.value
                )
    return people


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
