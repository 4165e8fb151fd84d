"""Approval links under attack (point 6): a link is the credential of one approver for one
stage, so re-binding its claims, swapping token kinds, racing two uses, or using it after the
request or the approver changed must all fail, and opening it (GET) must write nothing.
Expiry, reuse, forgery and death-on-reassignment are in tests/integration."""

import threading
import uuid
from collections.abc import Callable
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from shared.approvals.models import ApprovalLink, ApprovalStage
from shared.audit.models import AuditLog
from shared.auth import tokens
from shared.db import unit_of_work
from tests.conftest import Mailbox, assigned_request
from tests.support import Api, Person, link_token, new_analyst


def _link(request_id: str) -> ApprovalLink:
    with unit_of_work() as session:
        return session.scalars(
            select(ApprovalLink)
            .join(ApprovalStage, ApprovalStage.id == ApprovalLink.stage_id)
            .where(ApprovalStage.request_id == uuid.UUID(request_id))
        ).one()


def _resign(link: ApprovalLink, *, subject: uuid.UUID, stage: uuid.UUID) -> str:
    """A correctly signed approval token for `link`'s id with other claims: what an attacker
    who could mint tokens would try; the server must check the claims against the row."""
    return tokens.issue(
        tokens.TokenType.APPROVAL,
        subject,
        timedelta(hours=1),
        jti=link.id,
        extra={"stage": str(stage)},
    ).token


def _pending(api: Api, auth: dict[str, str], request_id: str) -> bool:
    detail = api.request(auth, request_id)
    return detail["status"] == "pending_approval" and detail["stages"][0]["status"] == "pending"


def _audit_count(request_id: str, stage_id: uuid.UUID) -> int:
    with unit_of_work() as session:
        return int(
            session.scalar(
                select(func.count())
                .select_from(AuditLog)
                .where(AuditLog.entity_id.in_([request_id, str(stage_id)]))
            )
            or 0
        )


def test_a_link_rebound_to_another_approver_or_stage_is_refused(
    api: Api, staff: dict[str, Person], drain: Callable[[], None], mailbox: Mailbox
) -> None:
    auth, request_id, approver, _ = assigned_request(api, staff, drain, mailbox)
    link = _link(request_id)
    other_approver = next(p for p in staff.values() if p.id != approver.id)
    other_auth, other_request, _, _ = assigned_request(api, staff, drain, mailbox)
    other_stage = _link(other_request).stage_id
    for token in (
        _resign(link, subject=other_approver.id, stage=link.stage_id),
        _resign(link, subject=approver.id, stage=other_stage),
        _resign(link, subject=approver.id, stage=uuid.uuid4()),
    ):
        for method in ("GET", "POST"):
            response = api.http.request(
                method, f"/api/v1/approval-links/{token}", json={"decision": "approve"}
            )
            assert response.status_code == 404, response.text
            assert response.json()["error"]["code"] == "link_invalid"
    assert _pending(api, auth, request_id)
    assert _pending(api, other_auth, other_request)


def test_link_and_session_tokens_are_not_interchangeable(
    api: Api, staff: dict[str, Person], drain: Callable[[], None], mailbox: Mailbox
) -> None:
    auth, request_id, approver, token = assigned_request(api, staff, drain, mailbox)
    # The link is not a session: it opens no other door.
    as_bearer = api.http.get("/api/v1/approvals", headers={"Authorization": f"Bearer {token}"})
    assert as_bearer.status_code == 401
    # And a session token of the right approver is not a link.
    access = api.login(approver)["Authorization"].removeprefix("Bearer ")
    as_link = api.http.post(f"/api/v1/approval-links/{access}", json={"decision": "approve"})
    assert as_link.status_code == 404
    assert _pending(api, auth, request_id)


def test_opening_a_link_writes_nothing(
    api: Api, staff: dict[str, Person], drain: Callable[[], None], mailbox: Mailbox
) -> None:
    auth, request_id, _, token = assigned_request(api, staff, drain, mailbox)
    link = _link(request_id)
    audits = _audit_count(request_id, link.stage_id)
    for _ in range(3):
        assert api.http.get(f"/api/v1/approval-links/{token}").status_code == 200
    assert api.http.head(f"/api/v1/approval-links/{token}").status_code == 200  # reads, as GET
    assert _link(request_id).used_at is None
    assert _audit_count(request_id, link.stage_id) == audits
    assert _pending(api, auth, request_id)


def test_two_simultaneous_uses_of_one_link_decide_once(
    api: Api, staff: dict[str, Person], drain: Callable[[], None], mailbox: Mailbox
) -> None:
    from infra.local.gateway import app

    auth, request_id, _, token = assigned_request(api, staff, drain, mailbox)
    results: list[int] = []
    start = threading.Barrier(2)

    def use(decision: dict[str, str]) -> None:
        with TestClient(app, raise_server_exceptions=False) as http:
            start.wait()
            results.append(http.post(f"/api/v1/approval-links/{token}", json=decision).status_code)

    threads = [
        threading.Thread(target=use, args=({"decision": "approve"},)),
        threading.Thread(
            target=use,
            args=(
                {"decision": "reject", "comment": "no", "reason_codes": ["EXCESSIVE_OBLIGATIONS"]},
            ),
        ),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    drain()
    assert sorted(results)[0] == 200 and sorted(results)[1] in (409, 410), results
    detail = api.request(auth, request_id)
    assert detail["stages"][0]["status"] in ("approved", "rejected")
    with unit_of_work() as session:
        decisions = session.scalars(
            select(AuditLog).where(
                AuditLog.action.in_(["stage.approved", "stage.rejected"]),
                AuditLog.entity_id == str(detail["stages"][0]["id"]),
            )
        ).all()
    assert len(decisions) == 1


def test_a_link_dies_when_the_request_is_withdrawn(
    api: Api, staff: dict[str, Person], drain: Callable[[], None], mailbox: Mailbox
) -> None:
    auth, request_id, _, token = assigned_request(api, staff, drain, mailbox)
    assert (
        api.http.post(f"/api/v1/credit-requests/{request_id}/withdraw", headers=auth).status_code
        == 200
    )
    for response in (
        api.http.get(f"/api/v1/approval-links/{token}"),
        api.http.post(f"/api/v1/approval-links/{token}", json={"decision": "approve"}),
    ):
        assert response.status_code == 409
        error = response.json()["error"]
        assert error["code"] == "request_withdrawn"
        assert "withdrew" in error["message"]
    assert api.request(auth, request_id)["status"] == "withdrawn"


def test_a_link_dies_with_its_approvers_account(
    api: Api, staff: dict[str, Person], drain: Callable[[], None], mailbox: Mailbox
) -> None:
    auth, request_id, approver, token = assigned_request(api, staff, drain, mailbox)
    admin = api.login(staff["admin1"])
    off = api.http.patch(f"/api/v1/users/{approver.id}", json={"is_active": False}, headers=admin)
    assert off.status_code == 200
    try:
        response = api.http.post(f"/api/v1/approval-links/{token}", json={"decision": "approve"})
    finally:
        api.http.patch(f"/api/v1/users/{approver.id}", json={"is_active": True}, headers=admin)
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "link_not_current"
    assert _pending(api, auth, request_id)


def test_a_demoted_approvers_link_is_dead(
    api: Api, staff: dict[str, Person], drain: Callable[[], None], mailbox: Mailbox
) -> None:
    """Promote X to analyst, X gets a stage and its link, demote X: the link neither reads
    (no bureau report) nor decides, and the stage has moved to an analyst who may decide it."""
    admin = api.login(staff["admin1"])
    with new_analyst(api, admin) as x:
        _demote_and_check(api, drain, mailbox, admin, x)


def _demote_and_check(
    api: Api, drain: Callable[[], None], mailbox: Mailbox, admin: dict[str, str], x: Person
) -> None:
    auth = api.login(api.register())
    request_id = api.submit(auth)["id"]
    drain()
    detail = api.request(admin, request_id)
    assert detail["stages"][0]["assignee"] == x.username
    token = link_token(next(m for m in mailbox.to(x.email) if request_id[:8] in m["Subject"]))

    demoted = api.http.patch(f"/api/v1/users/{x.id}", json={"role": "applicant"}, headers=admin)
    assert demoted.status_code == 200
    read = api.http.get(f"/api/v1/approval-links/{token}")
    assert (read.status_code, read.json()["error"]["code"]) == (409, "link_not_current")
    assert "bureau_report" not in read.text
    post = api.http.post(f"/api/v1/approval-links/{token}", json={"decision": "approve"})
    assert (post.status_code, post.json()["error"]["code"]) == (409, "link_not_current")
    stage = api.request(admin, request_id)["stages"][0]
    assert stage["status"] == "pending"
    assert stage["assignee"] not in (None, x.username)
