"""Request more information, through the gateway with real Postgres and LocalStack: the
approver asks (app or emailed link), the applicant is emailed and answers (with or without
amendments), the request resumes, is re-chained or declined; rejection and withdrawal while
waiting; closing unanswered after 30 days; refusals and bad input."""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from functions.escalate.handler import handler as escalate_handler
from infra.local.lambda_events import LambdaContext, scheduled_event
from shared.approvals.information import close_unanswered
from shared.approvals.models import ApprovalLink, ApprovalStage, InformationRequest
from shared.approvals.service import escalate
from shared.audit.models import AuditLog
from shared.clock import utcnow
from shared.db import unit_of_work
from shared.messaging.models import OutboxEvent
from tests.conftest import Mailbox, assigned_request
from tests.support import Api, Person, decision_body, link_token

QUESTIONS = "Please explain the <late> payment in March & send two payslips."


def _ask(api: Api, approver: Person, request_id: str, questions: str = QUESTIONS) -> Any:
    return api.http.post(
        f"/api/v1/credit-requests/{request_id}/information-requests",
        json={"questions": questions},
        headers=api.login(approver),
    )


def _answer(api: Api, auth: dict[str, str], request_id: str, **body: Any) -> Any:
    return api.http.post(
        f"/api/v1/credit-requests/{request_id}/information-answer",
        json={"answer": "Payslips sent; the March payment was a bank error.", **body},
        headers=auth,
    )


def _stages(request_id: str) -> list[ApprovalStage]:
    with unit_of_work() as session:
        stages = list(
            session.scalars(
                select(ApprovalStage)
                .where(ApprovalStage.request_id == request_id)
                .order_by(ApprovalStage.round, ApprovalStage.level)
            )
        )
        session.expunge_all()
        return stages


def _asked_hours_ago(request_id: str, hours: float) -> None:
    """Move the open round's asking into the past, as if the applicant took `hours`."""
    with unit_of_work() as session:
        asked = session.scalars(
            select(InformationRequest).where(
                InformationRequest.request_id == request_id,
                InformationRequest.closed_at.is_(None),
            )
        ).one()
        asked.asked_at -= timedelta(hours=hours)


def _actions(entity_id: str) -> list[str]:
    with unit_of_work() as session:
        return list(
            session.scalars(
                select(AuditLog.action).where(AuditLog.entity_id == entity_id).order_by(AuditLog.id)
            )
        )


def test_asking_pauses_the_stage_emails_the_applicant_and_spends_the_link(
    api: Api, staff: dict[str, Person], drain: Callable[[], None], mailbox: Mailbox
) -> None:
    auth, request_id, approver, token = assigned_request(api, staff, drain, mailbox)
    rounds_url = f"/api/v1/credit-requests/{request_id}/information-requests"
    assert api.http.get(rounds_url, headers=auth).json() == []  # read, and cached

    asked = _ask(api, approver, request_id)
    assert asked.status_code == 201, asked.text
    drain()

    assert asked.json()["questions"] == QUESTIONS
    assert asked.json()["asked_by"] == approver.username
    assert api.request(auth, request_id)["status"] == "info_requested"
    stage = api.staff_view(staff, request_id)["stages"][0]
    assert (stage["status"], stage["assignee"]) == ("info_requested", approver.username)
    # The applicant reads the round on their page, the asker by first name only.
    rounds = api.http.get(rounds_url, headers=auth).json()  # the round invalidated the cache
    assert [(r["questions"], r["asked_by"], r["outcome"]) for r in rounds] == [
        (QUESTIONS, None, None)
    ]
    assert rounds[0]["asked_by_first_name"].startswith("Analyst")
    email = next(
        m
        for m in mailbox.to(_applicant_address(api, auth))
        if "needs more information" in m["Subject"]
    )
    assert "March & send two payslips" in email["Body"]["text_part"]
    assert f"/requests/{request_id}" in email["Body"]["text_part"]
    assert "&lt;late&gt;" in email["Body"]["html_part"]

    spent = api.http.post(f"/api/v1/approval-links/{token}", json={"decision": "approve"})
    assert spent.status_code == 410
    assert "stage.info_requested" in _actions(str(stage["id"]))

    # Escalation leaves the paused stage alone, however late it is.
    with unit_of_work() as session:
        escalate(session, now=utcnow() + timedelta(days=20))
    paused = api.staff_view(staff, request_id)["stages"][0]
    assert (paused["status"], paused["assignee"]) == ("info_requested", approver.username)
    with unit_of_work() as session:
        assert session.get(ApprovalStage, stage["id"]).reminded_at is None  # type: ignore[union-attr]


def _applicant_address(api: Api, auth: dict[str, str]) -> str:
    return str(api.http.get("/api/v1/users/me", headers=auth).json()["email"])


def test_an_answer_without_amendment_resumes_with_the_same_approver_and_the_time_left(
    api: Api, staff: dict[str, Person], drain: Callable[[], None], mailbox: Mailbox
) -> None:
    auth, request_id, approver, _ = assigned_request(api, staff, drain, mailbox)
    due_before = _stages(request_id)[0].due_at
    assert _ask(api, approver, request_id).status_code == 201
    _asked_hours_ago(request_id, 10)

    answered = _answer(api, auth, request_id)
    assert answered.status_code == 200, answered.text
    assert answered.json()["status"] == "pending_approval"
    drain()

    stage = _stages(request_id)[0]
    assert stage.status == "pending" and stage.assignee_id == approver.id
    assert due_before is not None and stage.due_at is not None
    moved = stage.due_at - due_before
    assert timedelta(hours=10) <= moved < timedelta(hours=10, minutes=5)
    email = next(
        m
        for m in mailbox.to(approver.email)
        if f"Answer received: credit request {request_id[:8]}" in m["Subject"]
    )
    assert "bank error" in email["Body"]["text_part"]
    decided = api.http.post(
        f"/api/v1/approval-links/{link_token(email)}", json={"decision": "approve"}
    )
    assert decided.status_code == 200, decided.text
    assert decided.json()["status"] == "approved"
    rounds = api.http.get(
        f"/api/v1/credit-requests/{request_id}/information-requests", headers=auth
    ).json()
    assert rounds[0]["outcome"] == "resumed" and rounds[0]["amendments"] == {}


def test_the_pause_for_an_answer_counts_once_towards_escalation(
    api: Api, staff: dict[str, Person], drain: Callable[[], None], mailbox: Mailbox
) -> None:
    """The answer moves the stage's due time by the pause; the second SLA period, after
    which escalation hands the stage one level up, is measured from there, not lengthened by
    the pause a second time."""
    auth, request_id, approver, _ = assigned_request(api, staff, drain, mailbox)
    assert _ask(api, approver, request_id).status_code == 201
    _asked_hours_ago(request_id, 200)
    assert _answer(api, auth, request_id).status_code == 200
    drain()
    with unit_of_work() as session:  # one SLA (48 h) and an hour past the moved due time
        stage = session.scalars(
            select(ApprovalStage).where(ApprovalStage.request_id == request_id)
        ).first()
        assert stage is not None and stage.assigned_at and stage.due_at
        shift = stage.due_at - utcnow() + timedelta(hours=49)
        stage.assigned_at -= shift
        stage.due_at -= shift
    with unit_of_work() as session:
        escalate(session)
    drain()
    stage_out = api.staff_view(staff, request_id)["stages"][0]
    holder = next(p for p in staff.values() if p.username == stage_out["assignee"])
    assert holder.role == "manager"


def test_an_amendment_in_the_same_band_is_rescored_and_keeps_the_approvals_given(
    api: Api, staff: dict[str, Person], drain: Callable[[], None], mailbox: Mailbox
) -> None:
    auth, request_id, analyst, _ = assigned_request(
        api, staff, drain, mailbox, amount="50000.00", term_months=120, monthly_income="25000.00"
    )
    approved = api.http.post(
        f"/api/v1/credit-requests/{request_id}/decision",
        json={"decision": "approve"},
        headers=api.login(analyst),
    )
    assert approved.status_code == 200
    drain()
    manager = api.assignee(staff, request_id, 1)
    assert _ask(api, manager, request_id).status_code == 201

    answered = _answer(api, auth, request_id, amendments={"amount": "60000.00", "term_months": 96})
    assert answered.status_code == 200, answered.text
    drain()

    detail = api.staff_view(staff, request_id)
    assert (detail["status"], detail["amount"], detail["term_months"]) == (
        "pending_approval",
        "60000.00",
        96,
    )
    assert [(s["status"], s["assignee"]) for s in detail["stages"]] == [
        ("approved", analyst.username),
        ("pending", manager.username),
    ]
    rounds = api.http.get(
        f"/api/v1/credit-requests/{request_id}/information-requests", headers=auth
    ).json()
    assert rounds[0]["amendments"] == {
        "amount": {"before": "50000.00", "after": "60000.00"},
        "term_months": {"before": "120", "after": "96"},
    }
    assert _actions(request_id).count("credit_request.scored") == 2  # on submission, then again
    email = next(
        m
        for m in mailbox.to(manager.email)
        if f"Answer received: credit request {request_id[:8]}" in m["Subject"]
    )
    assert "from 50000.00 to 60000.00" in email["Body"]["text_part"]


def test_an_amendment_into_another_band_builds_a_new_chain_from_level_one(
    api: Api, staff: dict[str, Person], drain: Callable[[], None], mailbox: Mailbox
) -> None:
    auth, request_id, analyst, _ = assigned_request(
        api, staff, drain, mailbox, amount="50000.00", term_months=120, monthly_income="25000.00"
    )
    api.http.post(
        f"/api/v1/credit-requests/{request_id}/decision",
        json={"decision": "approve"},
        headers=api.login(analyst),
    )
    drain()
    manager = api.assignee(staff, request_id, 1)
    assert _ask(api, manager, request_id).status_code == 201

    answered = _answer(api, auth, request_id, amendments={"amount": "150000.00"})
    assert answered.status_code == 200, answered.text
    drain()

    stages = _stages(request_id)
    assert [(s.round, s.level, s.role, s.status) for s in stages] == [
        (1, 1, "analyst", "approved"),
        (1, 2, "manager", "cancelled"),
        (2, 1, "analyst", "pending"),
        (2, 2, "manager", "waiting"),
        (2, 3, "director", "waiting"),
    ]
    # Nobody decides two stages of one request, in any round: another analyst holds it.
    assert stages[2].assignee_id not in (None, analyst.id)
    assert api.request(auth, request_id)["status"] == "pending_approval"
    email = next(
        m
        for m in mailbox.to(manager.email)
        if f"Answer received: credit request {request_id[:8]}" in m["Subject"]
    )
    assert "starts again from the first level" in email["Body"]["text_part"]


def test_an_amendment_the_policy_declines_is_auto_rejected_with_its_reasons(
    api: Api, staff: dict[str, Person], drain: Callable[[], None], mailbox: Mailbox
) -> None:
    auth, request_id, approver, _ = assigned_request(api, staff, drain, mailbox)
    assert _ask(api, approver, request_id).status_code == 201

    answered = _answer(api, auth, request_id, amendments={"monthly_income": "0.00"})
    assert answered.status_code == 200, answered.text
    drain()

    detail = api.request(auth, request_id)
    assert detail["status"] == "auto_rejected"
    assert [r["code"] for r in detail["decision_reasons"]][:1] == ["NO_INCOME"]
    assert _stages(request_id)[0].status == "cancelled"
    assert any("was declined" in m["Subject"] for m in mailbox.to(_applicant_address(api, auth)))


def test_the_approver_may_reject_while_waiting_but_not_approve(
    api: Api, staff: dict[str, Person], drain: Callable[[], None], mailbox: Mailbox
) -> None:
    auth, request_id, approver, _ = assigned_request(api, staff, drain, mailbox)
    assert _ask(api, approver, request_id).status_code == 201
    headers = api.login(approver)
    url = f"/api/v1/credit-requests/{request_id}/decision"

    approve = api.http.post(url, json={"decision": "approve"}, headers=headers)
    assert approve.status_code == 409
    assert approve.json()["error"]["code"] == "invalid_transition"
    reject = api.http.post(
        url, json=decision_body("reject", "No answer we can use."), headers=headers
    )
    assert reject.status_code == 200, reject.text
    assert reject.json()["status"] == "rejected"
    rounds = api.http.get(
        f"/api/v1/credit-requests/{request_id}/information-requests", headers=auth
    ).json()
    assert rounds[0]["outcome"] == "rejected"
    late = _answer(api, auth, request_id)
    assert late.status_code == 409 and late.json()["error"]["code"] == "invalid_transition"


def test_the_applicant_may_withdraw_while_waiting(
    api: Api, staff: dict[str, Person], drain: Callable[[], None], mailbox: Mailbox
) -> None:
    auth, request_id, approver, _ = assigned_request(api, staff, drain, mailbox)
    assert _ask(api, approver, request_id).status_code == 201
    withdrawn = api.http.post(f"/api/v1/credit-requests/{request_id}/withdraw", headers=auth)
    assert withdrawn.status_code == 200, withdrawn.text
    assert _stages(request_id)[0].status == "cancelled"
    rounds = api.http.get(
        f"/api/v1/credit-requests/{request_id}/information-requests", headers=auth
    ).json()
    assert rounds[0]["outcome"] == "withdrawn"


def test_asking_by_the_emailed_link(
    api: Api, staff: dict[str, Person], drain: Callable[[], None], mailbox: Mailbox
) -> None:
    auth, request_id, _, token = assigned_request(api, staff, drain, mailbox)
    asked = api.http.post(
        f"/api/v1/approval-links/{token}/information-request", json={"questions": QUESTIONS}
    )
    assert asked.status_code == 201, asked.text
    assert asked.json()["asked_via"] == "email_link"
    assert api.request(auth, request_id)["status"] == "info_requested"
    again = api.http.post(
        f"/api/v1/approval-links/{token}/information-request", json={"questions": "More?"}
    )
    assert again.status_code == 410  # the link was the credential, spent by asking


def test_unanswered_after_30_days_closes_as_incomplete_once(
    api: Api, staff: dict[str, Person], drain: Callable[[], None], mailbox: Mailbox
) -> None:
    auth, request_id, approver, _ = assigned_request(api, staff, drain, mailbox)
    assert _ask(api, approver, request_id).status_code == 201

    with unit_of_work() as session:
        assert close_unanswered(session, now=utcnow() + timedelta(days=29)) == 0
    assert api.request(auth, request_id)["status"] == "info_requested"
    with unit_of_work() as session:
        closed = close_unanswered(session, now=utcnow() + timedelta(days=30, minutes=1))
    with unit_of_work() as session:
        again = close_unanswered(session, now=utcnow() + timedelta(days=31))
    assert closed >= 1 and again == 0

    detail = api.request(auth, request_id)
    assert detail["status"] == "incomplete" and detail["decided_at"] is not None
    assert _stages(request_id)[0].status == "cancelled"
    assert "credit_request.incomplete" in _actions(request_id)
    with unit_of_work() as session:
        events = session.scalars(
            select(OutboxEvent.event_type).where(
                OutboxEvent.payload["request_id"].astext == request_id
            )
        ).all()
    assert list(events).count("request.incomplete") == 1
    # The scheduled step runs it too.
    assert "closed_incomplete" in escalate_handler(
        scheduled_event("escalate"), LambdaContext("escalate")
    )


def test_refusals_and_bad_input(
    api: Api, staff: dict[str, Person], drain: Callable[[], None], mailbox: Mailbox
) -> None:
    auth, request_id, approver, _ = assigned_request(api, staff, drain, mailbox)
    other = next(p for p in staff.values() if p.role == "analyst" and p.id != approver.id)

    refused = _ask(api, other, request_id)
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "not_assignee"
    stage_id = str(_stages(request_id)[0].id)
    assert "stage.info_request_refused" in _actions(stage_id)
    as_applicant = api.http.post(
        f"/api/v1/credit-requests/{request_id}/information-requests",
        json={"questions": "?"},
        headers=auth,
    )
    assert as_applicant.status_code == 403
    early = _answer(api, auth, request_id)
    assert early.status_code == 409 and early.json()["error"]["code"] == "invalid_transition"
    for questions in ("", "   ", "x" * 2001):
        assert _ask(api, approver, request_id, questions).status_code == 422

    assert _ask(api, approver, request_id).status_code == 201
    twice = _ask(api, approver, request_id)
    assert twice.status_code == 409 and twice.json()["error"]["code"] == "invalid_transition"
    stranger = api.login(api.register("stranger"))
    assert _answer(api, stranger, request_id).status_code == 404
    for bad in (
        {"amendments": {"amount": "-1"}},
        {"amendments": {"term_months": 2}},
        {"amendments": {"credit_score": 850}},  # not amendable: bureau data
        {"amendments": {"employment_status": "astronaut"}},
        {"answer": ""},
        {"answer": "x" * 2001},
    ):
        response = _answer(api, auth, request_id, **bad)
        assert response.status_code == 422, bad
        assert response.json()["error"]["code"] == "validation_error"
    assert api.request(auth, request_id)["status"] == "info_requested"
    with unit_of_work() as session:
        live = session.scalars(
            select(ApprovalLink).where(
                ApprovalLink.stage_id == stage_id, ApprovalLink.used_at.is_(None)
            )
        ).all()
    assert live == []
