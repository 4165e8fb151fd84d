"""Emailed approval links: reading never changes state; one use; bound to stage and approver;
refused once expired, used, or no longer current, and refused without any state change."""

import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from sqlalchemy import select, text

from shared.approvals import links
from shared.approvals.models import ApprovalLink, ApprovalStage
from shared.clock import utcnow
from shared.credit.models import CreditRequest
from shared.db import unit_of_work
from tests.conftest import Mailbox, assigned_request
from tests.support import Api, Person, link_token


def test_link_from_the_email_shows_the_request_and_decides_once(
    api: Api, staff: dict[str, Person], drain: Callable[[], None], mailbox: Mailbox
) -> None:
    auth, request_id, approver, token = assigned_request(api, staff, drain, mailbox)

    for _ in range(2):  # a mail scanner opening the link twice changes nothing
        shown = api.http.get(f"/api/v1/approval-links/{token}")
        assert shown.status_code == 200
        assert shown.json()["request"]["id"] == request_id
        assert shown.json()["level"] == 1
    assert api.request(auth, request_id)["status"] == "pending_approval"

    decided = api.http.post(
        f"/api/v1/approval-links/{token}", json={"decision": "approve", "comment": "fine"}
    )
    assert decided.status_code == 200
    assert decided.json()["status"] == "approved"
    drain()
    detail = api.staff_view(staff, request_id)
    assert detail["stages"][0]["decided_by"] == approver.username
    assert detail["stages"][0]["comment"] == "fine"

    reused = api.http.post(
        f"/api/v1/approval-links/{token}",
        json={"decision": "reject", "comment": "x", "reason_codes": ["EXCESSIVE_OBLIGATIONS"]},
    )
    assert reused.status_code == 410
    assert reused.json()["error"]["code"] == "link_used"
    assert api.http.get(f"/api/v1/approval-links/{token}").status_code == 410
    assert api.request(auth, request_id)["status"] == "approved"


def test_the_next_approvers_link_shows_the_earlier_decisions_and_how_they_were_made(
    api: Api, staff: dict[str, Person], drain: Callable[[], None], mailbox: Mailbox
) -> None:
    """A manager deciding from the email sees the analyst's decision and comment first."""
    auth, request_id, analyst, _ = assigned_request(
        api, staff, drain, mailbox, amount="150000.00", term_months=120, monthly_income="25000.00"
    )
    in_app = api.http.post(
        f"/api/v1/credit-requests/{request_id}/decision",
        json={"decision": "approve", "comment": "Income verified with payslips"},
        headers=api.login(analyst),
    )
    assert in_app.status_code == 200, in_app.text
    drain()
    holder = api.staff_view(staff, request_id)["stages"][1]["assignee"]
    manager = next(p for p in staff.values() if p.username == holder)
    email = next(m for m in mailbox.to(manager.email) if request_id[:8] in m["Subject"])
    token = link_token(email)

    shown = api.http.get(f"/api/v1/approval-links/{token}").json()
    assert shown["applicant_name"] == "Applicant Tester"
    first, second = shown["stages"][:2]
    assert (first["status"], first["decided_by"], first["decided_via"]) == (
        "approved",
        analyst.username,
        "app",
    )
    assert first["comment"] == "Income verified with payslips"
    assert (second["status"], second["assignee"]) == ("pending", manager.username)

    by_link = api.http.post(
        f"/api/v1/approval-links/{token}", json={"decision": "approve", "comment": "agreed"}
    )
    assert by_link.status_code == 200, by_link.text
    stages = api.request(auth, request_id)["stages"]
    assert [s["decided_via"] for s in stages[:2]] == ["app", "email_link"]


def test_expired_link_is_refused_without_state_change(
    api: Api, staff: dict[str, Person], drain: Callable[[], None], mailbox: Mailbox
) -> None:
    auth, request_id, _, _ = assigned_request(api, staff, drain, mailbox)
    with unit_of_work() as session:
        link = session.scalars(
            select(ApprovalLink)
            .join(ApprovalStage, ApprovalStage.id == ApprovalLink.stage_id)
            .where(ApprovalStage.request_id == uuid.UUID(request_id))
        ).one()
        link.expires_at = utcnow() - timedelta(minutes=1)
        session.flush()
        expired_token = links.token_for(link)

    response = api.http.post(
        f"/api/v1/approval-links/{expired_token}", json={"decision": "approve"}
    )
    assert response.status_code == 410
    assert response.json()["error"]["code"] == "link_expired"
    detail = api.request(auth, request_id)
    assert detail["status"] == "pending_approval"
    assert detail["stages"][0]["status"] == "pending"


def test_link_is_dead_once_the_stage_is_decided_in_the_app(
    api: Api, staff: dict[str, Person], drain: Callable[[], None], mailbox: Mailbox
) -> None:
    auth, request_id, approver, token = assigned_request(
        api, staff, drain, mailbox, amount="50000.00", term_months=120
    )
    in_app = api.http.post(
        f"/api/v1/credit-requests/{request_id}/decision",
        json={"decision": "approve"},
        headers=api.login(approver),
    )
    assert in_app.status_code == 200
    drain()
    response = api.http.post(
        f"/api/v1/approval-links/{token}",
        json={"decision": "reject", "comment": "x", "reason_codes": ["EXCESSIVE_OBLIGATIONS"]},
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "stage_decided"
    detail = api.request(auth, request_id)
    assert [s["status"] for s in detail["stages"]] == ["approved", "pending"]


def test_forged_or_altered_link_is_refused(
    api: Api, staff: dict[str, Person], drain: Callable[[], None], mailbox: Mailbox
) -> None:
    auth, request_id, _, token = assigned_request(api, staff, drain, mailbox)
    header, claims, signature = token.split(".")
    altered = f"{header}.{claims}.{signature[:-2]}{'AA' if not signature.endswith('AA') else 'BB'}"
    for bad in (altered, "not-a-token", token + "x"):
        response = api.http.post(f"/api/v1/approval-links/{bad}", json={"decision": "approve"})
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "link_invalid"
    assert api.request(auth, request_id)["status"] == "pending_approval"


def _waiting_on(holder: int) -> int:
    """How many sessions wait on a lock the backend `holder` holds (pg_locks, which every
    role may read, unlike other sessions' pg_stat_activity rows)."""
    with unit_of_work() as session:
        waiting = session.scalar(
            text(
                "SELECT count(*) FROM pg_locks"
                " WHERE NOT granted AND :holder = ANY(pg_blocking_pids(pid))"
            ),
            {"holder": holder},
        )
        return int(waiting or 0)


def test_a_link_decision_and_a_hand_over_wait_for_each_other_without_deadlock(
    api: Api, staff: dict[str, Person], drain: Callable[[], None], mailbox: Mailbox
) -> None:
    """Escalation and absences lock the request, then revoke the stage's links as they hand
    it over. A decision by link takes the same rows in the same order, so whichever comes
    second waits for the first: neither is a deadlock's victim (a 503 for the approver, or
    the whole escalation run rolled back)."""
    _, request_id, _, token = assigned_request(api, staff, drain, mailbox)
    with ThreadPoolExecutor(max_workers=1) as pool, unit_of_work() as session:
        request = session.get(CreditRequest, uuid.UUID(request_id), with_for_update=True)
        assert request is not None
        stage = session.scalars(
            select(ApprovalStage).where(ApprovalStage.request_id == request.id)
        ).first()
        assert stage is not None
        holder = int(session.scalar(text("SELECT pg_backend_pid()")) or 0)
        decision = pool.submit(
            api.http.post, f"/api/v1/approval-links/{token}", json={"decision": "approve"}
        )
        deadline = time.monotonic() + 10
        while _waiting_on(holder) == 0 and time.monotonic() < deadline:
            time.sleep(0.05)  # until the decision waits on a row this transaction holds
        assert _waiting_on(holder) == 1
        links.revoke_for(session, stage)  # as a hand-over does, the request locked
    answer = decision.result(timeout=30)
    assert (answer.status_code, answer.json()["error"]["code"]) == (409, "link_not_current")
