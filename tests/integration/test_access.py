"""Who may see and decide what: applicants see only their own requests; only the current
stage's assignee decides it; nobody decides their own request or two stages of one request."""

import uuid
from collections.abc import Callable
from typing import Any

from sqlalchemy import select, update

from shared.approvals.models import ApprovalStage
from shared.audit.models import AuditLog
from shared.db import unit_of_work
from tests.support import Api, Person


def _pending_request(api: Api, drain: Callable[[], None], **changes: Any) -> tuple[dict, str]:
    applicant = api.register()
    auth = api.login(applicant)
    request_id = api.submit(auth, **changes)["id"]
    drain()
    return auth, request_id


def _person(staff: dict[str, Person], username: str) -> Person:
    return next(p for p in staff.values() if p.username == username)


def test_applicant_cannot_read_or_list_another_applicants_request(
    api: Api, drain: Callable[[], None]
) -> None:
    auth_a, request_a = _pending_request(api, drain)
    auth_b = api.login(api.register())

    response = api.http.get(f"/api/v1/credit-requests/{request_a}", headers=auth_b)
    assert response.status_code == 404
    missing = api.http.get(f"/api/v1/credit-requests/{uuid.uuid4()}", headers=auth_b)
    assert response.json()["error"]["code"] == missing.json()["error"]["code"] == "not_found"
    listed = api.http.get("/api/v1/credit-requests", headers=auth_b).json()["items"]
    assert listed == []
    foreign_filter = api.http.get(
        "/api/v1/credit-requests",
        params={"applicant_id": api.http.get("/api/v1/users/me", headers=auth_a).json()["id"]},
        headers=auth_b,
    )
    assert foreign_filter.json()["items"] == []
    withdraw = api.http.post(f"/api/v1/credit-requests/{request_a}/withdraw", headers=auth_b)
    assert withdraw.status_code == 404
    assert api.request(auth_a, request_a)["status"] == "pending_approval"


def test_approver_cannot_decide_a_stage_assigned_to_someone_else(
    api: Api, staff: dict[str, Person], drain: Callable[[], None]
) -> None:
    auth, request_id = _pending_request(api, drain)
    assignee = api.staff_view(staff, request_id)["stages"][0]["assignee"]
    other = next(p for p in staff.values() if p.role == "analyst" and p.username != assignee)

    response = api.http.post(
        f"/api/v1/credit-requests/{request_id}/decision",
        json={"decision": "approve"},
        headers=api.login(other),
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "not_assignee"
    detail = api.request(auth, request_id)
    assert detail["status"] == "pending_approval"
    assert detail["stages"][0]["status"] == "pending"
    with unit_of_work() as session:
        refusal = session.scalars(
            select(AuditLog).where(
                AuditLog.action == "stage.decision_refused",
                AuditLog.actor == other.username,
                AuditLog.entity_id == detail["stages"][0]["id"],
            )
        ).one()
    assert refusal.details == {"refused": "not_assignee"}


def test_applicants_cannot_decide_and_only_admins_manage_users(
    api: Api, drain: Callable[[], None]
) -> None:
    auth, request_id = _pending_request(api, drain)
    decision = api.http.post(
        f"/api/v1/credit-requests/{request_id}/decision",
        json={"decision": "approve"},
        headers=auth,
    )
    assert decision.status_code == 403
    assert api.http.get("/api/v1/users", headers=auth).status_code == 403
    assert api.http.get("/api/v1/audit-logs", headers=auth).status_code == 403
    assert api.http.get("/api/v1/approvals", headers=auth).status_code == 403
    assert api.http.get("/api/v1/credit-requests").status_code == 401


def test_nobody_decides_their_own_request(
    api: Api, staff: dict[str, Person], drain: Callable[[], None]
) -> None:
    applicant = api.register()
    auth = api.login(applicant)
    request_id = api.submit(auth)["id"]
    drain()
    # The applicant later joins the credit team, and the stage lands on them (by hand here:
    # routing itself never assigns an applicant their own request).
    admin = api.login(staff["admin1"])
    promoted = api.http.patch(
        f"/api/v1/users/{applicant.id}", json={"role": "analyst"}, headers=admin
    )
    assert promoted.status_code == 200
    with unit_of_work() as session:
        session.execute(
            update(ApprovalStage)
            .where(ApprovalStage.request_id == uuid.UUID(request_id))
            .values(assignee_id=applicant.id)
        )
    response = api.http.post(
        f"/api/v1/credit-requests/{request_id}/decision",
        json={"decision": "approve"},
        headers=api.login(applicant),
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "own_request"
    assert api.request(admin, request_id)["status"] == "pending_approval"
    _retire(api, admin, applicant)


def _retire(api: Api, admin: dict[str, str], person: Person) -> None:
    """Deactivate a user this test made staff, so routing in later tests ignores them."""
    response = api.http.patch(
        f"/api/v1/users/{person.id}", json={"is_active": False}, headers=admin
    )
    assert response.status_code == 200


def test_nobody_decides_two_stages_of_one_request(
    api: Api, staff: dict[str, Person], drain: Callable[[], None]
) -> None:
    auth, request_id = _pending_request(api, drain, amount="50000.00", term_months=120)
    first = api.assignee(staff, request_id)
    approved = api.http.post(
        f"/api/v1/credit-requests/{request_id}/decision",
        json={"decision": "approve"},
        headers=api.login(first),
    )
    assert approved.status_code == 200
    drain()
    routed = api.staff_view(staff, request_id)["stages"][1]
    assert routed["assignee"] != first.username  # routing keeps them apart
    with unit_of_work() as session:  # force the conflict to prove the decide step refuses it
        session.execute(
            update(ApprovalStage)
            .where(ApprovalStage.request_id == uuid.UUID(request_id), ApprovalStage.level == 2)
            .values(assignee_id=first.id)
        )
    response = api.http.post(
        f"/api/v1/credit-requests/{request_id}/decision",
        json={"decision": "approve"},
        headers=api.login(first),
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "second_stage"
    assert api.request(auth, request_id)["stages"][1]["status"] == "pending"


def test_admin_cannot_change_their_own_role_and_role_changes_are_audited(
    api: Api, staff: dict[str, Person]
) -> None:
    admin = staff["admin1"]
    auth = api.login(admin)
    own = api.http.patch(f"/api/v1/users/{admin.id}", json={"role": "director"}, headers=auth)
    assert own.status_code == 403
    target = api.register()
    changed = api.http.patch(f"/api/v1/users/{target.id}", json={"role": "manager"}, headers=auth)
    assert changed.status_code == 200
    assert changed.json()["role"] == "manager"
    entries = api.http.get(
        "/api/v1/audit-logs",
        params={"action": "user.updated", "entity_id": str(target.id)},
        headers=auth,
    ).json()["items"]
    assert len(entries) == 1
    assert entries[0]["actor"] == admin.username
    assert entries[0]["before"]["role"] == "applicant"
    assert entries[0]["after"]["role"] == "manager"
    unknown_field = api.http.patch(
        f"/api/v1/users/{target.id}", json={"password_hash": "x"}, headers=auth
    )
    assert unknown_field.status_code == 422
    _retire(api, auth, target)
