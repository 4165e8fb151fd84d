"""SLA escalation: a reminder past the due time, reassignment one role up past twice it."""

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta

from sqlalchemy import select, update

from functions.escalate.handler import handler as escalate_handler
from infra.local.lambda_events import LambdaContext, scheduled_event
from shared.approvals.models import ApprovalStage
from shared.approvals.service import escalate
from shared.audit.models import AuditLog
from shared.db import unit_of_work
from shared.messaging.outbox import relay_pending
from shared.users.models import User
from shared.users.schemas import UserCreate
from shared.users.service import register
from shared.workflow.states import Role
from tests.conftest import Mailbox
from tests.support import STAFF_PASSWORD, Api, Person, link_token


def _age_stage(request_id: str, hours: float) -> None:
    """Move the stage's assignment into the past, as if `hours` had gone by."""
    with unit_of_work() as session:
        stage = session.scalars(
            select(ApprovalStage).where(
                ApprovalStage.request_id == request_id, ApprovalStage.status == "pending"
            )
        ).one()
        assert stage.assigned_at and stage.due_at
        shift = timedelta(hours=hours)
        stage.assigned_at -= shift
        stage.due_at -= shift


def test_overdue_stage_gets_one_reminder(
    api: Api, staff: dict[str, Person], drain: Callable[[], None], mailbox: Mailbox
) -> None:
    auth = api.login(api.register())
    request_id = api.submit(auth)["id"]
    drain()
    assignee = api.assignee(staff, request_id)
    _age_stage(request_id, 49)

    first = escalate_handler(scheduled_event("escalate"), LambdaContext("escalate"))
    second = escalate_handler(scheduled_event("escalate"), LambdaContext("escalate"))
    drain()

    assert first["reminded"] >= 1
    assert second["reminded"] == 0
    reminders = [
        m
        for m in mailbox.to(assignee.email)
        if "Reminder" in m["Subject"] and request_id[:8] in m["Subject"]
    ]
    assert len(reminders) == 1
    assert api.staff_view(staff, request_id)["stages"][0]["assignee"] == assignee.username


def test_stage_overdue_twice_the_sla_moves_to_the_next_role_up(
    api: Api, staff: dict[str, Person], drain: Callable[[], None], mailbox: Mailbox
) -> None:
    auth = api.login(api.register())
    request_id = api.submit(auth)["id"]
    drain()
    analyst = api.assignee(staff, request_id)
    analyst_link = link_token(
        next(m for m in mailbox.to(analyst.email) if request_id[:8] in m["Subject"])
    )
    _age_stage(request_id, 97)

    with unit_of_work() as session:
        report = escalate(session)
    relay_pending()
    drain()

    assert report.reassigned >= 1
    stage = api.staff_view(staff, request_id)["stages"][0]
    manager = next(p for p in staff.values() if p.username == stage["assignee"])
    assert manager.role == "manager"
    assert stage["role"] == "analyst"  # the stage keeps its level; a senior now decides it
    with unit_of_work() as session:
        audit = session.scalars(
            select(AuditLog).where(
                AuditLog.action == "stage.escalated", AuditLog.entity_id == str(stage["id"])
            )
        ).one()
    assert audit.after and audit.after["role"] == "manager"
    assert audit.before and audit.before["assignee_id"] != audit.after["assignee_id"]

    stale = api.http.post(f"/api/v1/approval-links/{analyst_link}", json={"decision": "approve"})
    assert stale.status_code == 409  # the analyst's link died with the reassignment
    email = next(m for m in mailbox.to(manager.email) if request_id[:8] in m["Subject"])
    decided = api.http.post(
        f"/api/v1/approval-links/{link_token(email)}", json={"decision": "approve"}
    )
    assert decided.status_code == 200
    assert decided.json()["status"] == "approved"


def _new_admin(prefix: str) -> Person:
    with unit_of_work() as session:
        name = f"{prefix}-{uuid.uuid4().hex[:8]}"
        user = register(
            session,
            UserCreate(
                username=name,
                email=f"{name}@example.com",
                password=STAFF_PASSWORD,
                full_name="Admin Staff",
            ),
            role=Role.ADMIN,
            verified=True,
        )
        return Person(user.id, name, user.email, STAFF_PASSWORD, Role.ADMIN.value)


@contextmanager
def _only_admins(*kept: uuid.UUID) -> Iterator[None]:
    """Every other administrator inactive for the block (escalation's candidates are the
    active ones), reactivated after."""
    with unit_of_work() as session:
        others = list(
            session.scalars(
                update(User)
                .where(User.role == Role.ADMIN, User.is_active.is_(True), User.id.not_in(kept))
                .values(is_active=False)
                .returning(User.id)
            )
        )
    try:
        yield
    finally:
        with unit_of_work() as session:
            session.execute(update(User).where(User.id.in_(others)).values(is_active=True))


def _hand_pending_stage(request_id: str, user_id: uuid.UUID) -> uuid.UUID:
    with unit_of_work() as session:
        stage = session.scalars(
            select(ApprovalStage).where(
                ApprovalStage.request_id == request_id, ApprovalStage.status == "pending"
            )
        ).one()
        stage.assignee_id = user_id
        return stage.id


def _escalate_all() -> None:
    with unit_of_work() as session:
        escalate(session)
    relay_pending()


def test_an_administrators_overdue_stage_goes_to_another_administrator(
    api: Api, drain: Callable[[], None], mailbox: Mailbox
) -> None:
    """Even when the holder is the least loaded: handing the stage back to them was a second
    reminder logged as an escalation."""
    holder, other = _new_admin("aaaa-admin"), _new_admin("zzzz-admin")
    request_id = api.submit(api.login(api.register()))["id"]
    busy_with = api.submit(api.login(api.register()))["id"]
    drain()
    with _only_admins(holder.id, other.id):
        stage_id = _hand_pending_stage(request_id, holder.id)
        _hand_pending_stage(busy_with, other.id)  # one pending stage each: a tie on load
        _age_stage(request_id, 24 * 30)
        _escalate_all()
        drain()

    with unit_of_work() as session:
        stage = session.get(ApprovalStage, stage_id)
        assert stage is not None and stage.assignee_id == other.id
        escalated = session.scalars(
            select(AuditLog).where(
                AuditLog.action == "stage.escalated", AuditLog.entity_id == str(stage_id)
            )
        ).one()
    assert escalated.before == {"assignee_id": str(holder.id)}
    assert escalated.after and escalated.after["assignee_id"] == str(other.id)
    assert any(request_id[:8] in m["Subject"] for m in mailbox.to(other.email))


def test_the_only_administrators_overdue_stage_stays_with_them_and_is_reported(
    api: Api, drain: Callable[[], None], mailbox: Mailbox
) -> None:
    holder = _new_admin("only-admin")
    request_id = api.submit(api.login(api.register()))["id"]
    drain()
    with _only_admins(holder.id):
        stage_id = _hand_pending_stage(request_id, holder.id)
        _age_stage(request_id, 24 * 30)
        _escalate_all()
        drain()

    with unit_of_work() as session:
        stage = session.get(ApprovalStage, stage_id)
        assert stage is not None and stage.assignee_id == holder.id and stage.escalated_at is None
        actions = list(
            session.scalars(select(AuditLog.action).where(AuditLog.entity_id == str(stage_id)))
        )
    assert "stage.escalated" not in actions
    assert "stage.assignment_failed" in actions  # what the staffing alert counts
    assert not [m for m in mailbox.to(holder.email) if request_id[:8] in m["Subject"]]
