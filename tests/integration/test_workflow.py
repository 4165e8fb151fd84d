"""The workflow from submission to final decision, through every step's real handler."""

from collections.abc import Callable
from typing import Any

from tests.conftest import Mailbox
from tests.support import Api, Person, decision_body


class Desk:
    """Acts as whichever staff member the current stage is assigned to (found through the
    staff view: the applicant's names no usernames)."""

    def __init__(self, api: Api, staff: dict[str, Person]) -> None:
        self.api, self.staff = api, staff

    def person(self, username: str) -> Person:
        return next(p for p in self.staff.values() if p.username == username)

    def current(self, request_id: str) -> dict[str, Any]:
        detail = self.api.staff_view(self.staff, request_id)
        return next(s for s in detail["stages"] if s["status"] == "pending")

    def decide(self, request_id: str, decision: str, comment: str = "ok") -> dict[str, Any]:
        stage = self.current(request_id)
        auth = self.api.login(self.person(stage["assignee"]))
        response = self.api.http.post(
            f"/api/v1/credit-requests/{request_id}/decision",
            json=decision_body(decision, comment),
            headers=auth,
        )
        assert response.status_code == 200, response.text
        return dict(response.json())


def test_clear_failure_is_auto_rejected_with_reasons_and_emailed(
    api: Api, drain: Callable[[], None], mailbox: Mailbox
) -> None:
    applicant = api.register()
    auth = api.login(applicant)
    submitted = api.submit(auth, credit_score=540, bankruptcies_7y=1)
    assert submitted["status"] == "submitted"

    drain()

    detail = api.request(auth, submitted["id"])
    assert detail["status"] == "auto_rejected"
    assert detail["stages"] == []
    assert detail["risk_tier"] is None  # an internal grading: the policy hides it from them
    codes = [r["code"] for r in detail["decision_reasons"]]
    assert codes == ["RECENT_BANKRUPTCY", "LOW_CREDIT_SCORE"]
    assert "540" in detail["decision_reasons"][1]["message"]
    subjects = [m["Subject"] for m in mailbox.to(applicant.email)]
    assert any("received" in s for s in subjects)
    declined = [m for m in mailbox.to(applicant.email) if "declined" in m["Subject"]]
    assert len(declined) == 1
    assert "credit score of 540" in declined[0]["Body"]["text_part"]


def test_150k_request_passes_analyst_manager_director(
    api: Api, staff: dict[str, Person], drain: Callable[[], None], mailbox: Mailbox
) -> None:
    applicant = api.register()
    auth = api.login(applicant)
    request_id = api.submit(auth, amount="150000.00", term_months=120, monthly_income="25000.00")[
        "id"
    ]
    drain()
    detail = api.staff_view(staff, request_id)
    assert detail["status"] == "pending_approval"
    assert detail["risk_tier"] == "low"
    assert [(s["level"], s["role"], s["status"]) for s in detail["stages"]] == [
        (1, "analyst", "pending"),
        (2, "manager", "waiting"),
        (3, "director", "waiting"),
    ]
    assert detail["stages"][0]["due_at"] is not None

    desk = Desk(api, staff)
    deciders = []
    for expected_role in ("analyst", "manager", "director"):
        stage = desk.current(request_id)
        assert stage["role"] == expected_role
        assert desk.person(stage["assignee"]).role == expected_role
        assigned_mail = mailbox.to(desk.person(stage["assignee"]).email)
        assert any(request_id[:8] in m["Subject"] for m in assigned_mail)
        deciders.append(stage["assignee"])
        desk.decide(request_id, "approve", f"{expected_role} agrees")
        drain()

    final = api.staff_view(staff, request_id)
    assert final["status"] == "approved"
    assert final["decided_at"] is not None
    assert [s["status"] for s in final["stages"]] == ["approved"] * 3
    assert [s["decided_by"] for s in final["stages"]] == deciders
    assert len(set(deciders)) == 3
    assert final["stages"][1]["comment"] == "manager agrees"
    approved_mail = [m for m in mailbox.to(applicant.email) if "was approved" in m["Subject"]]
    assert len(approved_mail) == 1


def test_rejection_at_manager_stage_is_final(
    api: Api, staff: dict[str, Person], drain: Callable[[], None], mailbox: Mailbox
) -> None:
    applicant = api.register()
    auth = api.login(applicant)
    request_id = api.submit(auth, amount="150000.00", term_months=120, monthly_income="25000.00")[
        "id"
    ]
    drain()
    desk = Desk(api, staff)
    desk.decide(request_id, "approve")
    drain()
    manager_stage = desk.current(request_id)
    manager = desk.person(manager_stage["assignee"])
    desk.decide(request_id, "reject", "Collateral is insufficient")
    drain()

    final = api.staff_view(staff, request_id)
    assert final["status"] == "rejected"
    assert [s["status"] for s in final["stages"]] == ["approved", "rejected", "cancelled"]
    assert final["stages"][2]["assignee"] is None
    again = api.http.post(
        f"/api/v1/credit-requests/{request_id}/decision",
        json={"decision": "approve", "comment": ""},
        headers=api.login(manager),
    )
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "no_pending_stage"
    rejected_mail = [m for m in mailbox.to(applicant.email) if "was declined" in m["Subject"]]
    assert len(rejected_mail) == 1


def test_small_amount_needs_one_analyst_and_high_risk_adds_a_level(
    api: Api, staff: dict[str, Person], drain: Callable[[], None]
) -> None:
    applicant = api.register()
    auth = api.login(applicant)
    low = api.submit(auth, amount="8000.00")["id"]
    high = api.submit(auth, amount="8000.00", credit_score=620)["id"]
    drain()
    assert [s["role"] for s in api.request(auth, low)["stages"]] == ["analyst"]
    high_detail = api.staff_view(staff, high)
    assert high_detail["risk_tier"] == "high"
    assert [s["role"] for s in high_detail["stages"]] == ["analyst", "manager"]

    Desk(api, staff).decide(low, "approve")
    drain()
    assert api.request(auth, low)["status"] == "approved"


def test_applicant_withdraws_before_the_decision(
    api: Api, staff: dict[str, Person], drain: Callable[[], None]
) -> None:
    applicant = api.register()
    auth = api.login(applicant)
    request_id = api.submit(auth, amount="50000.00", term_months=120)["id"]
    drain()
    stage = Desk(api, staff).current(request_id)

    response = api.http.post(f"/api/v1/credit-requests/{request_id}/withdraw", headers=auth)
    assert response.status_code == 200
    assert response.json()["status"] == "withdrawn"
    detail = api.request(auth, request_id)
    assert [s["status"] for s in detail["stages"]] == ["cancelled", "cancelled"]

    approver = next(p for p in staff.values() if p.username == stage["assignee"])
    decision = api.http.post(
        f"/api/v1/credit-requests/{request_id}/decision",
        json={"decision": "approve"},
        headers=api.login(approver),
    )
    assert decision.status_code == 409
    again = api.http.post(f"/api/v1/credit-requests/{request_id}/withdraw", headers=auth)
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "invalid_transition"


def test_withdrawal_before_scoring_stops_the_workflow(api: Api, drain: Callable[[], None]) -> None:
    applicant = api.register()
    auth = api.login(applicant)
    request_id = api.submit(auth)["id"]
    response = api.http.post(f"/api/v1/credit-requests/{request_id}/withdraw", headers=auth)
    assert response.status_code == 200
    drain()
    detail = api.request(auth, request_id)
    assert detail["status"] == "withdrawn"
    assert detail["risk_tier"] is None
    assert detail["stages"] == []


def test_approver_inbox_lists_pending_stages_oldest_due_first(
    api: Api, staff: dict[str, Person], drain: Callable[[], None]
) -> None:
    applicant = api.register()
    auth = api.login(applicant)
    ids = [api.submit(auth, amount="9000.00")["id"] for _ in range(2)]
    drain()
    desk = Desk(api, staff)
    assignee = desk.person(desk.current(ids[0])["assignee"])
    inbox = api.http.get("/api/v1/approvals", headers=api.login(assignee))
    assert inbox.status_code == 200
    entries = inbox.json()["items"]
    assert ids[0] in [e["request"]["id"] for e in entries]
    mine = [e for e in entries if e["request"]["id"] in ids]
    assert {e["applicant_name"] for e in mine} == {"Applicant Tester"}  # who is asking
    dues = [e["due_at"] for e in entries]
    assert dues == sorted(dues)
    assert all(e["overdue"] is False for e in entries if e["request"]["id"] in ids)


def test_a_request_is_never_pending_approval_without_its_whole_chain(api: Api) -> None:
    """The score step commits the status and the chain together: read right after scoring,
    before route_to_approver has run, the request already shows every stage."""
    from infra.local.runner import poll_once
    from shared.messaging.topology import QUEUES

    auth = api.login(api.register())
    request_id = api.submit(auth, amount="50000.00", term_months=120)["id"]
    score_queue = next(q for q in QUEUES if q.function == "score")
    for _ in range(20):  # this run's messages only; others' may come first
        poll_once(score_queue)
        detail = api.request(auth, request_id)
        if detail["status"] != "submitted":
            break
    assert detail["status"] == "pending_approval"
    assert [(s["level"], s["role"], s["status"]) for s in detail["stages"]] == [
        (1, "analyst", "pending"),
        (2, "manager", "waiting"),
    ]
    assert detail["stages"][0]["approver_first_name"] is None  # assigned next, by route_to_approver
