"""Helpers for tests that talk to the API the way a client does."""

import os
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx

STAFF_PASSWORD = "staff-password-for-tests"
LINK = re.compile(r"/approvals/([A-Za-z0-9_\-.]+)")


@dataclass(frozen=True)
class Person:
    id: uuid.UUID
    username: str
    email: str
    password: str
    role: str


GOOD_APPLICATION: dict[str, Any] = {
    "amount": "5000.00",
    "term_months": 24,
    "purpose": "Car repair",
    "monthly_income": "6000.00",
    "monthly_debt": "300.00",
    "employment_status": "employed",
    "credit_score": 760,
    "delinquencies_24m": 0,
    "bankruptcies_7y": 0,
}


class Api:
    """A thin client for /api/v1 over any httpx-compatible client (TestClient or httpx)."""

    def __init__(self, http: httpx.Client) -> None:
        self.http = http
        self._staff_auth: dict[str, str] | None = None

    def register(self, name: str = "applicant", *, verified: bool = True) -> Person:
        """A new applicant; `verified` follows their emailed verification link's token (made
        here: the test process holds the signing key) through the real endpoint."""
        username = f"{name}-{uuid.uuid4().hex[:10]}"
        body = {
            "username": username,
            "email": f"{username}@example.com",
            "password": "applicant-password-1",
            "full_name": f"{name.title()} Tester",
        }
        response = self.http.post("/api/v1/users", json=body)
        assert response.status_code == 201, response.text
        person = Person(
            uuid.UUID(response.json()["id"]), username, body["email"], body["password"], "applicant"
        )
        if verified:
            verification = self.http.post(
                "/api/v1/email-verifications", json={"token": verification_token(person)}
            )
            assert verification.status_code == 200, verification.text
        return person

    def login(self, person: Person) -> dict[str, str]:
        response = self.http.post(
            "/api/v1/token", data={"username": person.username, "password": person.password}
        )
        assert response.status_code == 200, response.text
        return {"Authorization": f"Bearer {response.json()['access_token']}"}

    def submit(self, auth: dict[str, str], **changes: Any) -> dict[str, Any]:
        response = self.http.post(
            "/api/v1/credit-requests", json={**GOOD_APPLICATION, **changes}, headers=auth
        )
        assert response.status_code == 202, response.text
        return dict(response.json())

    def notice_sent(self, auth: dict[str, str], request_id: str) -> bool:
        """Whether the request's adverse action notice has been emailed (the notify step sends
        it after the decision, on its own time)."""
        response = self.http.get(f"/api/v1/credit-requests/{request_id}/notice", headers=auth)
        return response.status_code == 200 and response.json()["sent_at"] is not None

    def request(self, auth: dict[str, str], request_id: str) -> dict[str, Any]:
        response = self.http.get(f"/api/v1/credit-requests/{request_id}", headers=auth)
        assert response.status_code == 200, response.text
        return dict(response.json())

    def listed(self, auth: dict[str, str], **filters: Any) -> list[str]:
        """The ids on the first page (up to 100) of the credit-request list under `filters`."""
        response = self.http.get(
            "/api/v1/credit-requests", params={"limit": 100, **filters}, headers=auth
        )
        assert response.status_code == 200, response.text
        return [item["id"] for item in response.json()["items"]]

    def staff_view(self, staff: dict[str, "Person"], request_id: str) -> dict[str, Any]:
        """The request as staff read it (an admin's view, signed in once per client): with the
        approvers' usernames and the risk tier, which the applicant's own view leaves out."""
        if self._staff_auth is None:
            self._staff_auth = self.login(staff["admin1"])
        return self.request(self._staff_auth, request_id)

    def assignee(self, staff: dict[str, "Person"], request_id: str, index: int = 0) -> "Person":
        """Who holds (or held) the request's `index`-th stage, read through the staff view."""
        username = self.staff_view(staff, request_id)["stages"][index]["assignee"]
        return next(p for p in staff.values() if p.username == username)


def verification_token(person: Person) -> str:
    """The token of the link the welcome email carries, as the notify step signs it."""
    from shared.auth.account_links import verification_token as token_for

    return token_for(person.id, person.email.lower())


def link_token(email: dict[str, Any]) -> str:
    match = LINK.search(email["Body"]["text_part"])
    assert match, "the email holds no approval link"
    return match.group(1)


def delivered_message(event_type: str, request_id: str) -> str:
    """The body SNS delivers to a queue for one of a request's outbox events."""
    from sqlalchemy import select

    from shared.db import unit_of_work
    from shared.messaging.models import OutboxEvent
    from shared.messaging.outbox import envelope_of

    with unit_of_work() as session:
        row = session.scalars(
            select(OutboxEvent).where(
                OutboxEvent.event_type == event_type,
                OutboxEvent.payload["request_id"].astext == request_id,
            )
        ).one()
        return envelope_of(row).model_dump_json()


@contextmanager
def new_analyst(api: Api, admin: dict[str, str]) -> Iterator[Person]:
    """A fresh analyst who sorts first among equally loaded analysts (so gets the next
    stage), made an applicant again afterwards so later tests' routing ignores them."""
    person = api.register("aaaa")
    with promoted(api, admin, person):
        yield person


@contextmanager
def promoted(
    api: Api, admin: dict[str, str], person: Person, role: str = "analyst"
) -> Iterator[None]:
    """`person` holds `role` inside the block; afterwards an inactive applicant again, so
    later tests' routing ignores them."""
    changed = api.http.patch(f"/api/v1/users/{person.id}", json={"role": role}, headers=admin)
    assert changed.status_code == 200
    try:
        yield
    finally:
        api.http.patch(
            f"/api/v1/users/{person.id}",
            json={"role": "applicant", "is_active": False},
            headers=admin,
        )


def alive(pid: int) -> bool:
    """Whether the process runs (a zombie, dead but not yet reaped, counts as gone)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as stat:
        return stat.read().split(") ", 1)[1][0] != "Z"


REJECT_REASONS = ["EXCESSIVE_OBLIGATIONS"]
"""A rejection's principal reasons (the default policy's catalogue), for tests not about them."""


def decision_body(decision: str, comment: str) -> dict[str, Any]:
    """A decision's JSON body; a rejection gives the reason codes it must."""
    body: dict[str, Any] = {"decision": decision, "comment": comment}
    if decision == "reject":
        body["reason_codes"] = REJECT_REASONS
    return body


def age_decision(request_id: str, days: int) -> None:
    """Move a request's decision, and the adverse action notice that told of it, `days` into
    the past (the retention job counts from the later of the two). Against a running stack,
    wait for the notice to be sent first (`Api.notice_sent`): one sent after this is recent."""
    from sqlalchemy import update

    from shared.clock import utcnow
    from shared.credit.models import CreditRequest
    from shared.db import unit_of_work
    from shared.notifications.notice_models import AdverseActionNotice

    then = utcnow() - timedelta(days=days)
    with unit_of_work() as session:
        session.execute(
            update(CreditRequest)
            .where(CreditRequest.id == uuid.UUID(request_id))
            .values(decided_at=then)
        )
        session.execute(
            update(AdverseActionNotice)
            .where(
                AdverseActionNotice.request_id == uuid.UUID(request_id),
                AdverseActionNotice.sent_at.is_not(None),
            )
            .values(sent_at=then)
        )


@contextmanager
def database_at(revision: str) -> Iterator[str]:
    """The URL of a database of its own, migrated up to `revision` (a migration's test adds
    rows as they were before it, then calls `migrate(url, "head")`); dropped afterwards."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from infra.local.stack import ensure_database

    url = make_url(os.environ["DATABASE_URL"]).set(database=f"at_{uuid.uuid4().hex[:8]}")
    rendered = url.render_as_string(hide_password=False)
    ensure_database(rendered)
    migrate(rendered, revision)
    try:
        yield rendered
    finally:
        admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
        admin.dispose()


def migrate(url: str, revision: str) -> None:
    from alembic import command
    from alembic.config import Config

    config = Config("alembic.ini")
    config.attributes["configure_logger"] = False
    config.attributes["database_url"] = url
    command.upgrade(config, revision)


def insert_row(connection: Any, table: str, **values: Any) -> None:
    """A row as an older schema held it, written with plain SQL (a migration's test)."""
    from sqlalchemy import text

    names = ", ".join(values)
    connection.execute(
        text(f"INSERT INTO {table} ({names}) VALUES ({', '.join(':' + n for n in values)})"),
        values,
    )


def insert_user(connection: Any, role: str) -> uuid.UUID:
    """A user row, written with plain SQL (a migration's test); its id."""
    user_id = uuid.uuid4()
    insert_row(
        connection,
        "users",
        id=user_id,
        username=f"old-{user_id.hex[:8]}",
        email=f"old-{user_id.hex[:8]}@example.com",
        full_name="Old User",
        password_hash="x",
        role=role,
        is_active=True,
    )
    return user_id
