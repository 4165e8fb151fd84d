"""Request more information over HTTP, as `make local` runs it: the approver asks from the
link in their email, the applicant follows the link in theirs to the request page and answers
with a correction, and the approver decides from the fresh link the answer's email brings."""

import re
from typing import Any

from tests.conftest import Mailbox, wait_until
from tests.support import Api, Person, link_token


def _email(mailbox: Mailbox, address: str, subject: str) -> dict[str, Any]:
    return dict(
        wait_until(
            lambda: next((m for m in mailbox.to(address) if subject in m["Subject"]), None),
            timeout=45,
        )
    )


def test_asked_by_email_answered_in_the_app_decided_by_the_fresh_link(
    api: Api, staff: dict[str, Person], mailbox: Mailbox
) -> None:
    applicant = api.register("moreinfo")
    auth = api.login(applicant)
    request_id = api.submit(auth)["id"]
    ref = request_id[:8]

    def assigned() -> Person | None:
        stages = api.staff_view(staff, request_id)["stages"]
        holder = stages[0]["assignee"] if stages else None
        return next((p for p in staff.values() if p.username == holder), None)

    approver: Person = wait_until(assigned, timeout=45)
    first = _email(mailbox, approver.email, f"Approval needed: credit request {ref}")

    asked = api.http.post(
        f"/api/v1/approval-links/{link_token(first)}/information-request",
        json={"questions": "What is the car repair for, exactly?"},
    )
    assert asked.status_code == 201, asked.text

    # The applicant's email: the questions, the deadline, and their request page.
    to_applicant = _email(mailbox, applicant.email, f"Your credit request {ref} needs more")
    text = to_applicant["Body"]["text_part"]
    assert "What is the car repair for, exactly?" in text
    page = re.search(r"http://app\.test(/requests/[0-9a-f-]+)", text)
    assert page and page.group(1) == f"/requests/{request_id}"

    answered = api.http.post(
        f"/api/v1/credit-requests/{request_id}/information-answer",
        json={"answer": "A new gearbox.", "amendments": {"amount": "4500.00"}},
        headers=auth,
    )
    assert answered.status_code == 200, answered.text
    assert answered.json()["amount"] == "4500.00"

    # The approver's email: the answer, the correction, and a fresh link to decide by.
    to_approver = _email(mailbox, approver.email, f"Answer received: credit request {ref}")
    assert "A new gearbox." in to_approver["Body"]["text_part"]
    assert "from 5000.00 to 4500.00" in to_approver["Body"]["text_part"]
    decided = api.http.post(
        f"/api/v1/approval-links/{link_token(to_approver)}",
        json={"decision": "approve", "comment": "Clear now."},
    )
    assert decided.status_code == 200, decided.text
    assert decided.json()["status"] == "approved"

    rounds = api.http.get(
        f"/api/v1/credit-requests/{request_id}/information-requests", headers=auth
    ).json()
    assert [(r["asked_via"], r["outcome"], r["asked_by"]) for r in rounds] == [
        ("email_link", "resumed", None)
    ]
