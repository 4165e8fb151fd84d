"""A request's whole journey over HTTP: registration to final approval, each approver
deciding a different way — the inbox, the request page, and the link in their email."""

from typing import Any

from tests.conftest import Mailbox, wait_until
from tests.support import Api, Person, link_token


def _detail_when(api: Api, staff: dict[str, Person], request_id: str, predicate: Any) -> dict:
    """The request as staff read it (who holds each stage), once `predicate` holds."""

    def check() -> dict | None:
        detail = api.staff_view(staff, request_id)
        return detail if predicate(detail) else None

    return dict(wait_until(check, timeout=45))


def _current(detail: dict) -> dict | None:
    return next((s for s in detail["stages"] if s["status"] == "pending" and s["assignee"]), None)


def test_registration_to_final_approval_following_the_emailed_link(
    api: Api, staff: dict[str, Person], mailbox: Mailbox
) -> None:
    applicant = api.register("journey")
    auth = api.login(applicant)
    request_id = api.submit(auth, amount="150000.00", term_months=120, monthly_income="25000.00")[
        "id"
    ]

    detail = _detail_when(api, staff, request_id, lambda d: _current(d) is not None)
    assert detail["status"] == "pending_approval"
    assert [s["role"] for s in detail["stages"]] == ["analyst", "manager", "director"]
    by_name = {p.username: p for p in staff.values()}

    # Analyst: from the inbox.
    analyst = by_name[_current(detail)["assignee"]]  # type: ignore[index]
    analyst_auth = api.login(analyst)
    inbox = api.http.get("/api/v1/approvals", headers=analyst_auth).json()["items"]
    assert request_id in [entry["request"]["id"] for entry in inbox]
    response = api.http.post(
        f"/api/v1/credit-requests/{request_id}/decision",
        json={"decision": "approve", "comment": "income verified"},
        headers=analyst_auth,
    )
    assert response.status_code == 200

    # Manager: logs in and decides on the request page.
    detail = _detail_when(
        api, staff, request_id, lambda d: (c := _current(d)) is not None and c["level"] == 2
    )
    manager = by_name[_current(detail)["assignee"]]  # type: ignore[index]
    response = api.http.post(
        f"/api/v1/credit-requests/{request_id}/decision",
        json={"decision": "approve"},
        headers=api.login(manager),
    )
    assert response.status_code == 200

    # Director: only follows the link in the email LocalStack's SES received.
    detail = _detail_when(
        api, staff, request_id, lambda d: (c := _current(d)) is not None and c["level"] == 3
    )
    director = by_name[_current(detail)["assignee"]]  # type: ignore[index]
    email = wait_until(
        lambda: next(
            (m for m in mailbox.to(director.email) if request_id[:8] in m["Subject"]), None
        )
    )
    assert "http://app.test/approvals/" in email["Body"]["text_part"]
    token = link_token(email)
    summary = api.http.get(f"/api/v1/approval-links/{token}")
    assert summary.status_code == 200
    assert summary.json()["request"]["amount"] == "150000.00"
    decided = api.http.post(
        f"/api/v1/approval-links/{token}", json={"decision": "approve", "comment": "go"}
    )
    assert decided.status_code == 200
    assert decided.json()["status"] == "approved"

    final = api.staff_view(staff, request_id)
    assert final["status"] == "approved"
    assert [s["decided_by"] for s in final["stages"]] == [
        analyst.username,
        manager.username,
        director.username,
    ]
    wait_until(lambda: any("was approved" in m["Subject"] for m in mailbox.to(applicant.email)))
    assert (
        api.http.post(f"/api/v1/approval-links/{token}", json={"decision": "approve"}).status_code
        == 410
    )


def test_auto_rejection_reaches_the_applicant_by_email(api: Api, mailbox: Mailbox) -> None:
    applicant = api.register("declined")
    auth = api.login(applicant)
    request_id = api.submit(auth, monthly_income="0.00")["id"]
    detail = wait_until(
        lambda: (d := api.request(auth, request_id))["status"] != "submitted" and d, timeout=45
    )
    assert detail["status"] == "auto_rejected"
    assert detail["decision_reasons"][0]["code"] == "NO_INCOME"
    email = wait_until(
        lambda: next((m for m in mailbox.to(applicant.email) if "declined" in m["Subject"]), None)
    )
    # The policy's plain-language reason, in both parts; never its code.
    reason = detail["decision_reasons"][0]["message"]
    for part in ("text_part", "html_part"):
        assert reason in email["Body"][part]
        assert "NO_INCOME" not in email["Body"][part]
