"""The seed's promise, "easy addition of new approval stages", kept through the API alone: a
new approver level (`credit_committee`) with its band and SLA is drafted, staffed, proposed,
simulated, approved under four eyes and activated; then a large request goes through it to
the committee member, who approves from the link in their email. No code names the level."""

import copy
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest

from tests.conftest import Mailbox
from tests.policy_versions import policy_restored
from tests.support import Api, Person, link_token

POLICIES = "/api/v1/policies"
LEVEL = "credit_committee"


@pytest.fixture(autouse=True)
def _policy_restored(database: str) -> Iterator[None]:
    with policy_restored():
        yield


def _ok(response: Any, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.text
    return dict(response.json())


def _with_committee(document: dict[str, Any]) -> dict[str, Any]:
    """Above 500,000 the committee approves after the director, with 72 hours to do it."""
    changed = copy.deepcopy(document)
    changed["approver_levels"] = ["analyst", "manager", "director", LEVEL]
    top = changed["approval_chains"][-1]
    top["max_amount"] = "500000"
    changed["approval_chains"].append(
        {"max_amount": None, "roles": ["analyst", "manager", "director", LEVEL]}
    )
    changed["role_sla_hours"] = {LEVEL: 72}
    for rank, rule in enumerate(changed["rejection_rules"], start=1):
        rule["rank"] = rank
    return changed


def test_a_committee_level_added_through_the_api_decides_a_request_from_its_email(
    api: Api, staff: dict[str, Person], drain: Callable[[], None], mailbox: Mailbox
) -> None:
    admin = api.login(staff["admin1"])
    author, reviewer = api.login(staff["risk_officer1"]), api.login(staff["risk_officer2"])
    member = api.register("committee")
    unknown = api.http.patch(f"/api/v1/users/{member.id}", json={"role": LEVEL}, headers=admin)
    assert (unknown.status_code, unknown.json()["error"]["code"]) == (422, "unknown_role")

    # A risk officer drafts the level, its band and its SLA.
    draft = _ok(api.http.post(POLICIES, json={}, headers=author), 201)
    document = _with_committee(draft["document"])
    _ok(api.http.put(f"{POLICIES}/{draft['id']}", json={"document": document}, headers=author))
    # Nobody holds it yet: the proposal is refused where the band names it.
    unstaffed = api.http.post(
        f"{POLICIES}/{draft['id']}/propose",
        json={"reason": "Loans above 500,000 need the credit committee."},
        headers=author,
    )
    assert unstaffed.status_code == 422
    problems = [(p["loc"], p["type"]) for p in unstaffed.json()["error"]["details"]]
    # Its own band, and the band below (whose high-risk requests get one level more).
    assert problems == [
        (["document", "approval_chains", 2, "roles"], "unstaffed"),
        (["document", "approval_chains", 3, "roles"], "unstaffed"),
    ]

    # The admin gives the level (now defined by a version in play) to a user.
    assert _ok(api.http.patch(f"/api/v1/users/{member.id}", json={"role": LEVEL}, headers=admin))[
        "role"
    ] == (LEVEL)

    _ok(
        api.http.post(
            f"{POLICIES}/{draft['id']}/propose",
            json={"reason": "Loans above 500,000 need the credit committee."},
            headers=author,
        )
    )
    _ok(api.http.post(f"{POLICIES}/{draft['id']}/simulate", json={}, headers=reviewer))
    _ok(api.http.post(f"{POLICIES}/{draft['id']}/approve", headers=reviewer))
    active = _ok(api.http.post(f"{POLICIES}/{draft['id']}/activate", json={}, headers=author))
    assert active["status"] == "active"

    applicant = api.login(api.register())
    request_id = api.submit(
        applicant,
        amount="600000.00",
        term_months=60,
        monthly_income="200000.00",
        monthly_debt="300.00",
    )["id"]
    drain()
    viewer = api.login(staff["admin2"])
    detail = api.request(viewer, request_id)
    assert [s["role"] for s in detail["stages"]] == ["analyst", "manager", "director", LEVEL]
    assert {s["policy_version"] for s in detail["stages"]} == {active["version"]}

    for _ in range(3):  # analyst, manager, director decide in the app
        stage = next(
            s for s in api.request(viewer, request_id)["stages"] if s["status"] == "pending"
        )
        holder = next(p for p in staff.values() if p.username == stage["assignee"])
        _ok(
            api.http.post(
                f"/api/v1/credit-requests/{request_id}/decision",
                json={"decision": "approve", "comment": "ok"},
                headers=api.login(holder),
            )
        )
        drain()

    committee_stage = api.request(viewer, request_id)["stages"][3]
    assert (committee_stage["status"], committee_stage["assignee"]) == ("pending", member.username)
    assigned_window = datetime.fromisoformat(committee_stage["due_at"]) - datetime.now(
        datetime.fromisoformat(committee_stage["due_at"]).tzinfo
    )
    assert timedelta(hours=71) < assigned_window <= timedelta(hours=72)  # the level's own SLA

    # The member has an approver's access: their inbox lists the stage.
    inbox = _ok(api.http.get("/api/v1/approvals", headers=api.login(member)))["items"]
    assert [item["stage_id"] for item in inbox] == [committee_stage["id"]]

    email = next(m for m in mailbox.to(member.email) if request_id[:8] in m["Subject"])
    assert LEVEL in email["Body"]["text_part"]
    token = link_token(email)
    _ok(api.http.post(f"/api/v1/approval-links/{token}", json={"decision": "approve"}))
    drain()

    assert api.request(applicant, request_id)["status"] == "approved"
