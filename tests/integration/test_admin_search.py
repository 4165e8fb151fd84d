"""Administrators finding people: users by part of their username or email, and audit
entries by who acted (a username, or a label such as "anonymous")."""

import uuid
from collections.abc import Callable
from typing import Any

from tests.support import Api, Person


def _users(api: Api, auth: dict[str, str], **params: Any) -> dict[str, Any]:
    response = api.http.get("/api/v1/users", params=params, headers=auth)
    assert response.status_code == 200, response.text
    return dict(response.json())


def test_admin_searches_users_by_username_or_email_in_any_case(
    api: Api, staff: dict[str, Person]
) -> None:
    admin = api.login(staff["admin1"])
    tag = uuid.uuid4().hex[:8]
    first = api.register(f"find_{tag}")
    second = api.register(f"find_{tag}")
    api.register(f"findx{tag}")  # "_" must not match any character

    found = _users(api, admin, q=f"FIND_{tag.upper()}")["items"]
    assert sorted(u["username"] for u in found) == sorted([first.username, second.username])
    assert [u["username"] for u in _users(api, admin, q=first.email)["items"]] == [first.username]
    # "%" is a character, not a wildcard (as one it would match all three users).
    assert _users(api, admin, q=f"find%{tag}")["items"] == []

    # Keyset pages of a search hold every match once.
    page = _users(api, admin, q=f"find_{tag}", limit=1)
    assert len(page["items"]) == 1
    assert page["next_cursor"] is not None
    rest = _users(api, admin, q=f"find_{tag}", limit=1, cursor=page["next_cursor"])
    assert rest["next_cursor"] is None
    assert {page["items"][0]["id"], rest["items"][0]["id"]} == {str(first.id), str(second.id)}

    assert _users(api, admin, q="   ")["items"]  # blank: no filter
    too_long = api.http.get("/api/v1/users", params={"q": "x" * 255}, headers=admin)
    assert too_long.status_code == 422
    assert too_long.json()["error"]["code"] == "validation_error"
    applicant = api.login(first)
    assert api.http.get("/api/v1/users", params={"q": "find"}, headers=applicant).status_code == 403
    manager = api.login(staff["manager1"])
    assert api.http.get("/api/v1/users", params={"q": "find"}, headers=manager).status_code == 403


def test_admin_filters_the_audit_log_by_actor_username(api: Api, staff: dict[str, Person]) -> None:
    admin = api.login(staff["admin1"])
    applicant = api.register(verified=False)  # their one action: registering
    applicant_id = str(applicant.id)
    failed = api.http.post(
        "/api/v1/token", data={"username": applicant.username, "password": "not-the-password"}
    )
    assert failed.status_code == 401

    def entries(**params: Any) -> list[dict[str, Any]]:
        response = api.http.get(
            "/api/v1/audit-logs", params={**params, "limit": 100}, headers=admin
        )
        assert response.status_code == 200, response.text
        return list(response.json()["items"])

    own = entries(actor=applicant.username)
    assert [(e["actor"], e["action"]) for e in own] == [(applicant.username, "user.registered")]
    assert own[0]["actor_id"] == applicant_id
    # The failed sign-in was made by someone who had not proved who they were.
    anonymous = entries(actor="anonymous", action="auth.login_failed", entity_id=applicant_id)
    assert [e["details"]["username"] for e in anonymous] == [applicant.username]
    assert entries(actor=f"nobody-{uuid.uuid4().hex[:8]}") == []
    assert entries(actor=staff["admin2"].username, entity_id=applicant_id) == []

    too_long = api.http.get("/api/v1/audit-logs", params={"actor": "x" * 65}, headers=admin)
    assert too_long.status_code == 422
    before_year_1 = {"at_from": "0001-01-01T00:00:00+14:00"}
    assert (
        api.http.get("/api/v1/audit-logs", params=before_year_1, headers=admin).status_code == 422
    )
    assert too_long.json()["error"]["code"] == "validation_error"
    refused = api.http.get(
        "/api/v1/audit-logs", params={"actor": applicant.username}, headers=api.login(applicant)
    )
    assert refused.status_code == 403


def test_nobody_may_register_as_the_anonymous_actor(api: Api) -> None:
    """Failed sign-ins are audited as "anonymous": a user of that name would hide among them."""
    for username in ("anonymous", "Anonymous"):
        response = api.http.post(
            "/api/v1/users",
            json={
                "username": username,
                "email": f"{uuid.uuid4().hex[:8]}@example.com",
                "password": "applicant-password-1",
                "full_name": "Not Anonymous",
            },
        )
        assert response.status_code == 422, response.text
        assert "reserved" in response.text


def test_a_requests_audit_trail_includes_its_stages_decisions(
    api: Api, staff: dict[str, Person], drain: Callable[[], None]
) -> None:
    """Filtering the audit log by a request shows its whole trail: the request's entries and
    those logged against its stages (assignment, decision) — not only the former."""
    auth = api.login(api.register())
    request_id = api.submit(auth)["id"]
    drain()
    detail = api.staff_view(staff, request_id)
    assignee = next(p for p in staff.values() if p.username == detail["stages"][0]["assignee"])
    decided = api.http.post(
        f"/api/v1/credit-requests/{request_id}/decision",
        json={"decision": "approve"},
        headers=api.login(assignee),
    )
    assert decided.status_code == 200
    drain()
    other = api.submit(auth)["id"]  # another request's entries stay out
    drain()
    admin = api.login(staff["admin1"])
    page = api.http.get(
        "/api/v1/audit-logs", params={"request_id": request_id, "limit": 100}, headers=admin
    ).json()
    actions = [e["action"] for e in page["items"]]
    assert {"credit_request.created", "credit_request.scored", "stage.assigned"} <= set(actions)
    assert "stage.approved" in actions
    stage_id = detail["stages"][0]["id"]
    assert {e["entity_id"] for e in page["items"]} <= {request_id, stage_id}
    assert other not in {e["entity_id"] for e in page["items"]}
