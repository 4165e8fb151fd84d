"""Human review of an automatic decline over HTTP, with the queue runner as its own process:
the decline email tells of the right, the applicant asks, the reviewer follows the link in
their email and confirms or overturns; the applicant, or the next approver, hears of it."""

import re
from typing import Any

from tests.conftest import Mailbox, wait_until
from tests.support import Api, Person, new_analyst

REVIEW_LINK = re.compile(r"http://app\.test/reviews/([0-9a-f-]{36})")


def _email(mailbox: Mailbox, to: str, subject: str) -> dict[str, Any]:
    return dict(
        wait_until(
            lambda: next((m for m in mailbox.to(to) if subject in m["Subject"]), None), timeout=45
        )
    )


def _declined_and_asked(
    api: Api, mailbox: Mailbox, **corrections: Any
) -> tuple[Person, dict[str, str], str]:
    applicant = api.register("contests")
    auth = api.login(applicant)
    request_id = api.submit(auth, credit_score=540, bankruptcies_7y=1)["id"]
    declined = _email(mailbox, applicant.email, "declined")
    assert "ask a person to review it" in declined["Body"]["text_part"]
    asked = api.http.post(
        f"/api/v1/credit-requests/{request_id}/review",
        json={"statement": "That bankruptcy is not mine.", "corrected_data": corrections or None},
        headers=auth,
    )
    assert asked.status_code == 201, asked.text
    return applicant, auth, request_id


def _review_link(mailbox: Mailbox, reviewer: Person, request_id: str) -> str:
    email = _email(
        mailbox,
        reviewer.email,
        f"Review needed: automatic decline of credit request {request_id[:8]}",
    )
    match = REVIEW_LINK.search(email["Body"]["text_part"])
    assert match, "the reviewer's email links to the review"
    return match.group(1)


def test_the_reviewer_overturns_from_the_emailed_link_and_the_chain_takes_over(
    api: Api, staff: dict[str, Person], mailbox: Mailbox
) -> None:
    admin = api.login(staff["admin1"])
    with new_analyst(api, admin) as reviewer:
        _, auth, request_id = _declined_and_asked(api, mailbox, bankruptcies_7y=0)
        review_id = _review_link(mailbox, reviewer, request_id)
        reviewer_auth = api.login(reviewer)
        shown = api.http.get(f"/api/v1/reviews/{review_id}", headers=reviewer_auth).json()
        assert shown["changes"] == [{"field": "bankruptcies_7y", "original": 1, "corrected": 0}]
        decided = api.http.post(
            f"/api/v1/reviews/{review_id}/decision",
            json={"outcome": "overturned", "rationale": "The bankruptcy was filed in error."},
            headers=reviewer_auth,
        )
        assert decided.status_code == 200, decided.text
        assert decided.json()["bankruptcies_7y"] == 0

        def assigned() -> dict[str, Any] | None:
            detail = api.staff_view(staff, request_id)
            stages = detail["stages"]
            return detail if stages and stages[0]["assignee"] else None

        detail = wait_until(assigned, timeout=45)
        assert detail["status"] == "pending_approval"
        assert detail["stages"][0]["assignee"] != reviewer.username
        approver = next(p for p in staff.values() if p.username == detail["stages"][0]["assignee"])
        _email(mailbox, approver.email, request_id[:8])
        status = api.http.get(f"/api/v1/credit-requests/{request_id}/review", headers=auth)
        assert status.json()["review"]["state"] == "overturned"


def test_the_reviewer_confirms_and_the_applicant_reads_why(
    api: Api, staff: dict[str, Person], mailbox: Mailbox
) -> None:
    admin = api.login(staff["admin1"])
    with new_analyst(api, admin) as reviewer:
        applicant, auth, request_id = _declined_and_asked(api, mailbox)
        review_id = _review_link(mailbox, reviewer, request_id)
        rationale = "The bureau confirms the bankruptcy; the score is below the minimum anyway."
        decided = api.http.post(
            f"/api/v1/reviews/{review_id}/decision",
            json={"outcome": "confirmed", "rationale": rationale},
            headers=api.login(reviewer),
        )
        assert decided.status_code == 200, decided.text
        assert decided.json()["status"] == "rejected"
        email = wait_until(
            lambda: next(
                (m for m in mailbox.to(applicant.email) if rationale in m["Body"]["text_part"]),
                None,
            ),
            timeout=45,
        )
        assert "was declined" in email["Subject"] and "confirmed it" in email["Body"]["text_part"]
        status = api.http.get(f"/api/v1/credit-requests/{request_id}/review", headers=auth)
        assert status.json()["review"]["rationale"] == rationale
