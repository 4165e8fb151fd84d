"""Segregation of duties (point 5), on every path a decision can take (app and email link):
nobody decides their own request, nobody decides two stages of one request, no admin changes
their own role or status, and every refusal leaves an audit entry naming who tried."""

import uuid
from collections.abc import Callable

from sqlalchemy import select, update

from shared.approvals import links
from shared.approvals.models import ApprovalStage
from shared.audit.models import AuditLog
from shared.db import unit_of_work
from tests.support import Api, Person


def _refusals(action: str, actor: str) -> list[AuditLog]:
    with unit_of_work() as session:
        return list(
            session.scalars(
                select(AuditLog)
                .where(AuditLog.action == action, AuditLog.actor == actor)
                .order_by(AuditLog.id)
            )
        )


def _promote(api: Api, admin: dict[str, str], person: Person, role: str) -> None:
    response = api.http.patch(f"/api/v1/users/{person.id}", json={"role": role}, headers=admin)
    assert response.status_code == 200


def _retire(api: Api, admin: dict[str, str], person: Person) -> None:
    response = api.http.patch(
        f"/api/v1/users/{person.id}", json={"is_active": False}, headers=admin
    )
    assert response.status_code == 200


def _force_assignee(request_id: str, level: int, person: Person) -> uuid.UUID:
    """Put `person` on a stage by hand (routing itself never would)."""
    with unit_of_work() as session:
        session.execute(
            update(ApprovalStage)
            .where(ApprovalStage.request_id == uuid.UUID(request_id), ApprovalStage.level == level)
            .values(assignee_id=person.id)
        )
        stage = session.scalars(
            select(ApprovalStage).where(
                ApprovalStage.request_id == uuid.UUID(request_id), ApprovalStage.level == level
            )
        ).one()
        return stage.id


def _link_token(stage_id: uuid.UUID, person: Person) -> str:
    with unit_of_work() as session:
        stage = session.get(ApprovalStage, stage_id)
        assert stage is not None
        return links.token_for(links.create(session, stage, person.id))


def test_own_request_is_refused_and_audited_in_the_app_and_by_link(
    api: Api, staff: dict[str, Person], drain: Callable[[], None]
) -> None:
    applicant = api.register()
    auth = api.login(applicant)
    request_id = api.submit(auth)["id"]
    drain()
    admin = api.login(staff["admin1"])
    _promote(api, admin, applicant, "analyst")  # the applicant joins the credit team
    try:
        stage_id = _force_assignee(request_id, 1, applicant)
        in_app = api.http.post(
            f"/api/v1/credit-requests/{request_id}/decision",
            json={"decision": "approve"},
            headers=api.login(applicant),
        )
        by_link = api.http.post(
            f"/api/v1/approval-links/{_link_token(stage_id, applicant)}",
            json={"decision": "approve"},
        )
    finally:
        _retire(api, admin, applicant)
    for response in (in_app, by_link):
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "own_request"
    refusals = _refusals("stage.decision_refused", applicant.username)
    assert [r.details for r in refusals] == [{"refused": "own_request"}] * 2
    assert {r.entity_id for r in refusals} == {str(stage_id)}
    assert api.request(admin, request_id)["status"] == "pending_approval"


def test_a_second_stage_of_one_request_is_refused_and_audited(
    api: Api, staff: dict[str, Person], drain: Callable[[], None]
) -> None:
    auth = api.login(api.register())
    request_id = api.submit(auth, amount="50000.00", term_months=120)["id"]
    drain()
    # A manager holds the analyst stage (as after an escalation), so the manager stage is one
    # their role may decide: only segregation of duties stands in the way.
    first = staff["manager1"]
    _force_assignee(request_id, 1, first)
    first_auth = api.login(first)
    approved = api.http.post(
        f"/api/v1/credit-requests/{request_id}/decision",
        json={"decision": "approve"},
        headers=first_auth,
    )
    assert approved.status_code == 200
    drain()
    before = len(_refusals("stage.decision_refused", first.username))
    stage_id = _force_assignee(request_id, 2, first)
    by_link = api.http.post(
        f"/api/v1/approval-links/{_link_token(stage_id, first)}", json={"decision": "approve"}
    )
    assert by_link.status_code == 403
    assert by_link.json()["error"]["code"] == "second_stage"
    refusals = _refusals("stage.decision_refused", first.username)[before:]
    assert [(r.entity_id, r.details) for r in refusals] == [
        (str(stage_id), {"refused": "second_stage"})
    ]
    assert api.request(auth, request_id)["stages"][1]["status"] == "pending"


def test_an_admin_cannot_change_their_own_role_or_status_and_the_attempt_is_audited(
    api: Api, staff: dict[str, Person]
) -> None:
    admin = staff["admin2"]
    auth = api.login(admin)
    for change in ({"role": "director"}, {"is_active": False}, {"role": "admin"}):
        response = api.http.patch(f"/api/v1/users/{admin.id}", json=change, headers=auth)
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "self_change"
    refusals = _refusals("user.update_refused", admin.username)
    assert [r.details for r in refusals][-3:] == [
        {"refused": "self_change", "change": {"role": "director"}},
        {"refused": "self_change", "change": {"is_active": False}},
        {"refused": "self_change", "change": {"role": "admin"}},
    ]
    me = api.http.get("/api/v1/users/me", headers=auth).json()
    assert (me["role"], me["is_active"]) == ("admin", True)
