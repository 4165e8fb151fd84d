"""The request's `timed_<role>` flags behind the `stage_role` filter follow its stages, whatever
changes them (migration 14a2c4e6f8b1): a trigger on approval_stages, and a backfill of the
requests that were already decided when the migration ran."""

import uuid
from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import Connection, create_engine, text

from shared.db import get_engine
from tests.support import Api, Person, database_at, insert_row, insert_user, migrate

FLAGS = "SELECT timed_analyst, timed_manager, timed_director, timed_admin FROM credit_requests"


def _flags(connection: Connection, request_id: object) -> tuple[bool, ...]:
    return tuple(connection.execute(text(f"{FLAGS} WHERE id = :id"), {"id": request_id}).one())


def test_the_flags_follow_every_change_to_a_stage(
    api: Api, staff: dict[str, Person], drain: Callable[[], None]
) -> None:
    owner = api.login(api.register())
    request_id = api.submit(owner)["id"]
    drain()
    stage = api.staff_view(staff, request_id)["stages"][0]
    with get_engine().begin() as connection:
        assert _flags(connection, request_id) == (False, False, False, False)  # assigned only

    approver = next(p for p in staff.values() if p.username == stage["assignee"])
    response = api.http.post(
        f"/api/v1/credit-requests/{request_id}/decision",
        json={"decision": "approve", "comment": "fine"},
        headers=api.login(approver),
    )
    assert response.status_code == 200, response.text
    assert api.listed(owner, stage_role="analyst") == [request_id]

    # Whatever writes the stage: the trigger keeps the flags, not the application.
    change = "UPDATE approval_stages SET {} WHERE id = :id"
    steps: list[tuple[str, tuple[bool, ...]]] = [
        ("role = 'manager'", (False, True, False, False)),
        ("role = 'credit_committee'", (False, False, False, False)),  # a policy's own role
        ("role = 'analyst', decided_at = NULL", (False, False, False, False)),
        ("decided_at = now()", (True, False, False, False)),
    ]
    for assignment, expected in steps:
        with get_engine().begin() as connection:
            connection.execute(text(change.format(assignment)), {"id": stage["id"]})
            assert _flags(connection, request_id) == expected, assignment
    assert api.listed(owner, stage_role="analyst") == [request_id]
    assert api.listed(owner, stage_role="manager") == []


@pytest.fixture
def old_database(database: str) -> Iterator[str]:
    """A database of its own, migrated up to the revision before the flags."""
    with database_at("13e5b4a6b7c8") as url:
        yield url


def test_the_migration_flags_requests_decided_before_it(old_database: str) -> None:
    engine = create_engine(old_database)
    decided, waiting = uuid.uuid4(), uuid.uuid4()
    with engine.begin() as connection:
        applicant = insert_user(connection, "applicant")
        for request_id in (decided, waiting):
            connection.execute(
                text(
                    "INSERT INTO credit_requests (id, applicant_id, amount, term_months, purpose,"
                    " monthly_income, monthly_debt, employment_status, status, decision_reasons)"
                    " VALUES (:id, :applicant, 60000, 24, 'car', 9000, 500, 'employed',"
                    " 'pending_approval', '[]'::jsonb)"
                ),
                {"id": request_id, "applicant": applicant},
            )
        for level, role in ((1, "analyst"), (2, "manager")):
            insert_row(
                connection,
                "approval_stages",
                id=uuid.uuid4(),
                request_id=decided,
                level=level,
                role=role,
                status="approved",
                assigned_at="2026-11-01T10:00:00Z",
                decided_at="2026-11-02T10:00:00Z",
            )
        insert_row(
            connection,
            "approval_stages",
            id=uuid.uuid4(),
            request_id=waiting,
            level=1,
            role="analyst",
            status="pending",
            assigned_at="2026-11-01T10:00:00Z",
        )
    migrate(old_database, "head")
    with engine.begin() as connection:
        assert _flags(connection, decided) == (True, True, False, False)
        assert _flags(connection, waiting) == (False, False, False, False)
    engine.dispose()
