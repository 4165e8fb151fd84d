"""The journey issue 13 asks to pass end to end, over HTTP with the stack as `make local`
runs it and every email read from SES: submit → more information → amend → counteroffer →
accept. The analyst asks from the link in their email; the applicant answers from the request
page their email links to, lowering the amount (same band: the chain stays, the analyst keeps
the stage); the analyst approves by the fresh link; the manager, the last stage, offers other
terms by theirs; the applicant accepts. The trail and the emails tell the whole story."""

import re
from typing import Any

from tests.conftest import Mailbox, wait_until
from tests.support import Api, Person, link_token


def _email(mailbox: Mailbox, address: str, subject: str) -> dict[str, Any]:
    return dict(
        wait_until(
            lambda: next((m for m in mailbox.to(address) if subject in m["Subject"]), None),
            timeout=60,
        )
    )


def _holder(api: Api, staff: dict[str, Person], request_id: str, level: int) -> Person:
    def assigned() -> Person | None:
        stages = [s for s in api.staff_view(staff, request_id)["stages"] if s["level"] == level]
        holder = stages[-1]["assignee"] if stages and stages[-1]["status"] == "pending" else None
        return next((p for p in staff.values() if p.username == holder), None)

    return Person(**vars(wait_until(assigned, timeout=60)))


def test_submit_more_information_amend_counteroffer_accept(
    api: Api, staff: dict[str, Person], mailbox: Mailbox
) -> None:
    applicant = api.register("journey")
    auth = api.login(applicant)
    # 60,000: analyst then manager (the default policy's 10,000-100,000 band).
    request_id = api.submit(auth, amount="60000.00", term_months=60)["id"]
    ref = request_id[:8]

    # 1. The analyst asks for more information from the link in their email.
    analyst = _holder(api, staff, request_id, 1)
    assigned = _email(mailbox, analyst.email, f"Approval needed: credit request {ref}")
    asked = api.http.post(
        f"/api/v1/approval-links/{link_token(assigned)}/information-request",
        json={"questions": "Could you do with less? Your debt ratio is high for 60,000."},
    )
    assert asked.status_code == 201, asked.text
    assert api.request(auth, request_id)["status"] == "info_requested"

    # 2. The applicant follows their email to the request page and answers, amending the amount.
    questions = _email(mailbox, applicant.email, f"Your credit request {ref} needs more")
    page = re.search(r"/requests/([0-9a-f-]{36})", questions["Body"]["text_part"])
    assert page and page.group(1) == request_id
    answered = api.http.post(
        f"/api/v1/credit-requests/{request_id}/information-answer",
        json={"answer": "Yes: 40,000 is enough.", "amendments": {"amount": "40000.00"}},
        headers=auth,
    )
    assert answered.status_code == 200, answered.text
    # Re-scored, same band and tier: back with the same analyst, at the same stage.
    assert answered.json()["status"] == "pending_approval"
    assert answered.json()["amount"] == "40000.00"
    assert _holder(api, staff, request_id, 1).username == analyst.username

    # 3. The analyst approves by the fresh link the answer's email brings.
    answer_mail = _email(mailbox, analyst.email, f"Answer received: credit request {ref}")
    assert "from 60000.00 to 40000.00" in answer_mail["Body"]["text_part"]
    approved = api.http.post(
        f"/api/v1/approval-links/{link_token(answer_mail)}",
        json={"decision": "approve", "comment": "Ratio fine at 40,000."},
    )
    assert approved.status_code == 200, approved.text

    # 4. The manager, the last stage, offers other terms by the link in their email.
    manager = _holder(api, staff, request_id, 2)
    assert manager.username != analyst.username
    to_manager = _email(mailbox, manager.email, f"Approval needed: credit request {ref}")
    summary = api.http.get(f"/api/v1/approval-links/{link_token(to_manager)}").json()
    assert summary["counteroffer"] is not None  # the last stage may offer other terms
    offered = api.http.post(
        f"/api/v1/approval-links/{link_token(to_manager)}",
        json={
            "decision": "counteroffer",
            "comment": "We can lend 30,000 over 48 months.",
            "offer": {"amount": "30000.00", "term_months": 48},
            "reason_codes": ["AMOUNT_TOO_HIGH"],
        },
    )
    assert offered.status_code == 200, offered.text
    assert offered.json()["status"] == "offer_made"

    # 5. The applicant reads the offer in their email and accepts it.
    offer_mail = _email(mailbox, applicant.email, "offer on other terms")
    assert "$30,000.00" in offer_mail["Body"]["text_part"]
    accepted = api.http.post(f"/api/v1/credit-requests/{request_id}/offer/accept", headers=auth)
    assert accepted.status_code == 200, accepted.text
    final = accepted.json()
    assert final["status"] == "approved"
    assert (final["offer"]["amount"], final["offer"]["term_months"]) == ("30000.00", 48)
    assert final["offer"]["outcome"] == "accepted"
    approved_mail = _email(mailbox, applicant.email, f"Your credit request {ref} was approved")
    assert "terms you accepted" in approved_mail["Body"]["text_part"]

    # The request's trail tells the same story, step by step.
    admin = api.login(staff["admin1"])
    trail = api.http.get(
        "/api/v1/audit-logs", params={"request_id": request_id, "limit": 100}, headers=admin
    ).json()["items"]
    actions = [entry["action"] for entry in reversed(trail)]
    story = [
        "stage.info_requested",
        "credit_request.info_provided",
        "stage.approved",
        "stage.counteroffered",
        "offer.accepted",
    ]
    positions = [actions.index(action) for action in story]
    assert positions == sorted(positions), actions
