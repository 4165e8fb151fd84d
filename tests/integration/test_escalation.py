"""SLA escalation: a reminder past the due time, reassignment one role up past twice it."""

from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import select

from functions.escalate.handler import handler as escalate_handler
from infra.local.lambda_events import LambdaContext, scheduled_event
from shared.approvals.models import ApprovalStage
from shared.approvals.service import escalate
from shared.audit.models import AuditLog
from shared.db import unit_of_work
from shared.messaging.outbox import relay_pending
from tests.conftest import Mailbox
from tests.support import Api, Person, link_token


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
