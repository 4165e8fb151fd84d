"""The request's `pending_assignee_id` behind the `assigned_to=me` filter follows whoever holds
its pending stage, whatever changes the stage (migration 14b3d6e8f0a2): a trigger on
approval_stages, and a backfill of the requests that were pending when the migration ran."""

import uuid
from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection, create_engine, text

from shared.db import get_engine
from tests.support import (
    Api,
    Person,
    database_at,
    decision_body,
    insert_row,
    insert_user,
    migrate,
)


def _holder(connection: Connection, request_id: object) -> uuid.UUID | None:
    return connection.execute(
        text("SELECT pending_assignee_id FROM credit_requests WHERE id = :id"), {"id": request_id}
    ).scalar_one()


def _queue_of(api: Api, person: Person) -> list[str]:
    return api.listed(api.login(person), assigned_to="me")


def test_the_pending_assignee_follows_every_change_to_a_stage(
    api: Api, staff: dict[str, Person], drain: Callable[[], None]
) -> None:
    owner = api.login(api.register())
    # From 50,000 the default policy's chain has a manager after the analyst.
    request_id = api.submit(owner, amount="50000.00", term_months=120)["id"]
    drain()
    analyst = api.assignee(staff, request_id)
    with get_engine().begin() as connection:
        assert _holder(connection, request_id) == analyst.id
    assert request_id in _queue_of(api, analyst)

    approved = api.http.post(
        f"/api/v1/credit-requests/{request_id}/decision",
        json=decision_body("approve", "fine"),
        headers=api.login(analyst),
    )
    assert approved.status_code == 200, approved.text
    drain()
    manager = api.assignee(staff, request_id, index=1)
    assert manager.role == "manager"
    with get_engine().begin() as connection:
        assert _holder(connection, request_id) == manager.id
    assert request_id in _queue_of(api, manager)
    assert request_id not in _queue_of(api, analyst)

    # Whatever writes the stage (a reassignment, an absence, a question to the applicant):
    # the trigger keeps the request's holder, not the application.
    stage_id = api.staff_view(staff, request_id)["stages"][1]["id"]
    change = "UPDATE approval_stages SET {} WHERE id = :id"
    steps: list[tuple[str, dict[str, Any], uuid.UUID | None]] = [
        ("assignee_id = :person", {"person": analyst.id}, analyst.id),
        ("status = 'info_requested'", {}, None),
        ("status = 'pending'", {}, analyst.id),
        ("assignee_id = NULL", {}, None),
        ("assignee_id = :person", {"person": manager.id}, manager.id),
    ]
    for assignment, values, expected in steps:
        with get_engine().begin() as connection:
            connection.execute(text(change.format(assignment)), {"id": stage_id, **values})
            assert _holder(connection, request_id) == expected, assignment

    withdrawn = api.http.post(f"/api/v1/credit-requests/{request_id}/withdraw", headers=owner)
    assert withdrawn.status_code == 200, withdrawn.text
    with get_engine().begin() as connection:
        assert _holder(connection, request_id) is None
    assert request_id not in _queue_of(api, manager)


def test_every_request_names_who_holds_its_pending_stage(
    api: Api, staff: dict[str, Person], drain: Callable[[], None]
) -> None:
    """Over every request the tests have made by now (decided, withdrawn, escalated, asked
    for more information, reviewed...): the column says what the stages say."""
    api.submit(api.login(api.register()))
    drain()
    with get_engine().begin() as connection:
        disagreeing = connection.execute(
            text(
                "SELECT count(*) FROM credit_requests r WHERE r.pending_assignee_id IS DISTINCT"
                " FROM (SELECT s.assignee_id FROM approval_stages s WHERE s.request_id = r.id"
                " AND s.status = 'pending')"
            )
        ).scalar_one()
        held = connection.execute(
            text("SELECT count(*) FROM credit_requests WHERE pending_assignee_id IS NOT NULL")
        ).scalar_one()
    assert disagreeing == 0
    assert held > 0


def test_the_migration_records_who_holds_requests_pending_before_it(database: str) -> None:
    with database_at("14a2c4e6f8b1") as url:
        engine = create_engine(url)
        held, unassigned, decided = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
        with engine.begin() as connection:
            applicant, analyst, manager = (
                insert_user(connection, r) for r in ("applicant", "analyst", "manager")
            )
            for request_id in (held, unassigned, decided):
                insert_row(
                    connection,
                    "credit_requests",
                    id=request_id,
                    applicant_id=applicant,
                    amount=60000,
                    term_months=24,
                    purpose="car",
                    monthly_income=9000,
                    monthly_debt=500,
                    employment_status="employed",
                    status="approved" if request_id == decided else "pending_approval",
                    decision_reasons="[]",
                )
            stages = (
                (held, 1, "analyst", "approved", analyst),
                (held, 2, "manager", "pending", manager),
                (unassigned, 1, "analyst", "pending", None),
                (decided, 1, "analyst", "approved", analyst),
            )
            for request_id, level, role, status, assignee in stages:
                insert_row(
                    connection,
                    "approval_stages",
                    id=uuid.uuid4(),
                    request_id=request_id,
                    level=level,
                    role=role,
                    status=status,
                    assignee_id=assignee,
                )
        migrate(url, "head")
        with engine.begin() as connection:
            assert _holder(connection, held) == manager
            assert _holder(connection, unassigned) is None
            assert _holder(connection, decided) is None
        engine.dispose()
