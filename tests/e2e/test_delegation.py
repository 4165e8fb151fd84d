"""Out of office over HTTP, with the gateway and the queue runner as separate processes: an
approver sets an absence, their stage moves to the delegate, the delegate gets the normal
approver email and decides by its link, recorded as on behalf of the absent approver."""

from datetime import timedelta
from typing import Any

from shared.clock import utcnow
from tests.conftest import Mailbox, wait_until
from tests.support import Api, Person, link_token


def _held(api: Api, staff: dict[str, Person], request_id: str) -> dict[str, Any]:
    def check() -> dict[str, Any] | None:
        stages = api.staff_view(staff, request_id)["stages"]
        if not stages or stages[0]["status"] != "pending" or not stages[0]["assignee"]:
            return None  # not scored and routed yet
        return dict(stages[0])

    return dict(wait_until(check, timeout=45))


def test_the_delegate_gets_the_email_and_decides_on_behalf_of_the_absent_approver(
    api: Api, staff: dict[str, Person], mailbox: Mailbox
) -> None:
    applicant_auth = api.login(api.register("delegation"))
    request_id = api.submit(applicant_auth)["id"]
    by_name = {p.username: p for p in staff.values()}
    absent = by_name[_held(api, staff, request_id)["assignee"]]
    delegate = next(p for p in staff.values() if p.role == absent.role and p.id != absent.id)
    absent_auth = api.login(absent)

    now = utcnow()
    created = api.http.post(
        "/api/v1/users/me/absences",
        json={
            "delegate_id": str(delegate.id),
            "starts_at": (now - timedelta(minutes=1)).isoformat(),
            "ends_at": (now + timedelta(hours=4)).isoformat(),
        },
        headers=absent_auth,
    )
    try:
        assert created.status_code == 201, created.text
        assert created.json()["state"] == "active"
        stage = _held(api, staff, request_id)
        assert stage["assignee"] == delegate.username
        assert stage["on_behalf_of"] == absent.username

        email = wait_until(
            lambda: next(
                (m for m in mailbox.to(delegate.email) if request_id[:8] in m["Subject"]), None
            ),
            timeout=45,
        )
        token = link_token(email)
        summary = api.http.get(f"/api/v1/approval-links/{token}")
        assert summary.status_code == 200, summary.text
        decided = api.http.post(f"/api/v1/approval-links/{token}", json={"decision": "approve"})
        assert decided.status_code == 200, decided.text

        stage = api.staff_view(staff, request_id)["stages"][0]
        assert stage["decided_by"] == delegate.username
        assert stage["on_behalf_of"] == absent.username
        assert stage["decided_via"] == "email_link"
        mine = api.request(applicant_auth, request_id)["stages"][0]
        assert mine["on_behalf_of"] is None and mine["decided_by"] is None
    finally:
        if created.status_code == 201:
            api.http.delete(
                f"/api/v1/users/me/absences/{created.json()['id']}", headers=absent_auth
            )
