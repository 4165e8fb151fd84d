"""API1 (broken object-level authorization): every route that takes an id, attacked by every
role against objects that belong to someone else. Applicants never learn that another's
request exists (404, the same answer as for a missing one); staff see requests by design but
may only act as their role and assignment allow (403); nothing changes state."""

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from shared.audit.models import AuditLog
from shared.db import unit_of_work
from tests.security.conftest import ROLES
from tests.support import Api, Person

STAFF = ("analyst", "manager", "director", "admin", "risk_officer")


@dataclass(frozen=True)
class Scene:
    """Applicant `owner` has request `request_id` pending at stage 1, assigned to `assignee`.
    Everyone else in `others` is an attacker of some role."""

    owner: Person
    owner_auth: dict[str, str]
    request_id: str
    stage_id: str
    assignee: Person
    assignee_auth: dict[str, str]
    others: dict[str, dict[str, str]]  # role -> auth of a user who is neither owner nor assignee


@pytest.fixture(scope="module")
def scene(client: TestClient, staff: dict[str, Person]) -> Scene:
    from infra.local.runner import drain

    api = Api(client)
    owner = api.register()
    owner_auth = api.login(owner)
    request_id = api.submit(owner_auth)["id"]
    drain()
    stage = api.staff_view(staff, request_id)["stages"][0]
    assignee = next(p for p in staff.values() if p.username == stage["assignee"])
    others: dict[str, dict[str, str]] = {"applicant": api.login(api.register())}
    for role in STAFF:
        person = next(
            p for p in staff.values() if p.role == role and p.username != assignee.username
        )
        others[role] = api.login(person)
    return Scene(owner, owner_auth, request_id, stage["id"], assignee, api.login(assignee), others)


def _state(api: Api, scene: Scene) -> tuple[str, list[tuple[str, str | None]]]:
    # As an admin reads it: who holds each stage (the owner's view names nobody's username).
    detail = api.request(scene.others["admin"], scene.request_id)
    return detail["status"], [(s["status"], s["assignee"]) for s in detail["stages"]]


def _error(response: Any) -> dict[str, Any]:
    return dict(response.json()["error"])


def test_applicant_cannot_see_another_applicants_request_not_even_that_it_exists(
    api: Api, scene: Scene
) -> None:
    attacker = scene.others["applicant"]
    foreign = api.http.get(f"/api/v1/credit-requests/{scene.request_id}", headers=attacker)
    missing = api.http.get(f"/api/v1/credit-requests/{uuid.uuid4()}", headers=attacker)
    assert foreign.status_code == missing.status_code == 404
    assert _error(foreign) == _error(missing)  # same code, same message: nothing to tell apart
    listed = api.http.get(
        "/api/v1/credit-requests",
        params={"applicant_id": str(scene.owner.id), "limit": 100},
        headers=attacker,
    )
    assert listed.status_code == 200
    assert scene.request_id not in {i["id"] for i in listed.json()["items"]}
    assert scene.request_id not in api.http.get("/api/v1/credit-requests", headers=attacker).text


@pytest.mark.parametrize("role", STAFF)
def test_staff_read_any_request_and_the_read_is_audited(api: Api, scene: Scene, role: str) -> None:
    response = api.http.get(
        f"/api/v1/credit-requests/{scene.request_id}", headers=scene.others[role]
    )
    assert response.status_code == 200  # by design: staff see all requests (README)
    me = api.http.get("/api/v1/users/me", headers=scene.others[role]).json()
    with unit_of_work() as session:
        viewed = session.scalars(
            select(AuditLog).where(
                AuditLog.action == "credit_request.viewed",
                AuditLog.entity_id == scene.request_id,
                AuditLog.actor_id == uuid.UUID(me["id"]),
            )
        ).all()
    assert viewed, "a staff read of a request's file is recorded: who saw what"


@pytest.mark.parametrize("role", ROLES)
def test_nobody_but_the_owner_withdraws_a_request(api: Api, scene: Scene, role: str) -> None:
    before = _state(api, scene)
    response = api.http.post(
        f"/api/v1/credit-requests/{scene.request_id}/withdraw", headers=scene.others[role]
    )
    if role == "applicant":
        missing = api.http.post(
            f"/api/v1/credit-requests/{uuid.uuid4()}/withdraw", headers=scene.others[role]
        )
        assert response.status_code == 404
        assert _error(response) == _error(missing)
    else:
        assert response.status_code == 403
        assert _error(response)["code"] == "role_forbidden"
    assert _state(api, scene) == before


@pytest.mark.parametrize("role", ROLES)
def test_nobody_but_the_assignee_decides_the_stage(api: Api, scene: Scene, role: str) -> None:
    before = _state(api, scene)
    response = api.http.post(
        f"/api/v1/credit-requests/{scene.request_id}/decision",
        json={"decision": "reject", "comment": "attack", "reason_codes": ["EXCESSIVE_OBLIGATIONS"]},
        headers=scene.others[role],
    )
    assert response.status_code == 403
    # Risk officers write the policy and decide no stage: the route itself refuses them.
    refused_by_role = role in ("applicant", "risk_officer")
    assert _error(response)["code"] == ("role_forbidden" if refused_by_role else "not_assignee")
    assert _state(api, scene) == before


def test_the_owner_cannot_decide_or_act_as_staff_on_their_own_request(
    api: Api, scene: Scene
) -> None:
    before = _state(api, scene)
    decision = api.http.post(
        f"/api/v1/credit-requests/{scene.request_id}/decision",
        json={"decision": "approve"},
        headers=scene.owner_auth,
    )
    assert decision.status_code == 403
    assert (
        api.http.get(
            "/api/v1/audit-logs", params={"entity_id": scene.request_id}, headers=scene.owner_auth
        ).status_code
        == 403
    )
    assert _state(api, scene) == before


@pytest.mark.parametrize("role", [r for r in ROLES if r != "admin"])
def test_only_admins_change_another_user(api: Api, scene: Scene, role: str) -> None:
    for target in (scene.owner.id, scene.assignee.id):
        response = api.http.patch(
            f"/api/v1/users/{target}", json={"role": "admin"}, headers=scene.others[role]
        )
        assert response.status_code == 403
        assert _error(response)["code"] == "role_forbidden"
    me = api.http.get("/api/v1/users/me", headers=scene.owner_auth).json()
    assert me["role"] == "applicant"


@pytest.mark.parametrize("role", [r for r in ROLES if r != "admin"])
def test_only_admins_read_audit_entries_of_any_object(api: Api, scene: Scene, role: str) -> None:
    for params in (
        {"entity_id": scene.request_id},
        {"entity_id": scene.stage_id},
        {"actor_id": str(scene.owner.id)},
    ):
        response = api.http.get("/api/v1/audit-logs", params=params, headers=scene.others[role])
        assert response.status_code == 403


@pytest.mark.parametrize("role", ["analyst", "manager", "director", "admin"])
def test_an_approver_inbox_never_lists_another_approvers_stage(
    api: Api, scene: Scene, role: str
) -> None:
    inbox = api.http.get("/api/v1/approvals", headers=scene.others[role])
    assert inbox.status_code == 200
    assert scene.stage_id not in {item["stage_id"] for item in inbox.json()["items"]}
    mine = api.http.get(
        "/api/v1/credit-requests", params={"assigned_to": "me"}, headers=scene.others[role]
    )
    assert scene.request_id not in {i["id"] for i in mine.json()["items"]}


def test_users_me_is_always_the_caller(api: Api, scene: Scene) -> None:
    for role, auth in scene.others.items():
        me = api.http.get("/api/v1/users/me", headers=auth).json()
        assert me["role"] == role
        assert me["id"] not in (str(scene.owner.id), str(scene.assignee.id))


def test_control_the_assignee_can_decide(api: Api, scene: Scene, drain: Callable[[], None]) -> None:
    """The refusals above are about who asks: the assignee, asking the same way, succeeds.
    (Runs last in this module: it ends the scene's request.)"""
    inbox = api.http.get("/api/v1/approvals", headers=scene.assignee_auth).json()["items"]
    assert scene.stage_id in {item["stage_id"] for item in inbox}
    response = api.http.post(
        f"/api/v1/credit-requests/{scene.request_id}/decision",
        json={"decision": "approve"},
        headers=scene.assignee_auth,
    )
    assert response.status_code == 200
    drain()
