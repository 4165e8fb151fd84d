"""A counteroffer over HTTP, with the stack as `make local` runs it: the final approver makes
it by the link in their email, the applicant follows the link in theirs and accepts."""

import re
from typing import Any

from tests.conftest import Mailbox, wait_until
from tests.support import Api, Person, link_token


def _staff_detail_when(api: Api, staff: dict[str, Person], request_id: str, predicate: Any) -> dict:
    def check() -> dict | None:
        detail = api.staff_view(staff, request_id)
        return detail if predicate(detail) else None

    return dict(wait_until(check, timeout=45))


def test_counteroffer_by_the_emailed_link_accepted_by_the_applicant(
    api: Api, staff: dict[str, Person], mailbox: Mailbox
) -> None:
    applicant = api.register("offer")
    auth = api.login(applicant)
    request_id = api.submit(auth)["id"]  # 5,000 over 24 months: one analyst stage

    detail = _staff_detail_when(
        api, staff, request_id, lambda d: any(s["assignee"] for s in d["stages"])
    )
    analyst = next(p for p in staff.values() if p.username == detail["stages"][0]["assignee"])
    email = wait_until(
        lambda: next((m for m in mailbox.to(analyst.email) if request_id[:8] in m["Subject"]), None)
    )
    token = link_token(email)
    summary = api.http.get(f"/api/v1/approval-links/{token}").json()
    assert summary["counteroffer"] is not None  # the last stage: other terms allowed
    code = summary["counteroffer"]["decline_reasons"][0]["code"]
    decided = api.http.post(
        f"/api/v1/approval-links/{token}",
        json={
            "decision": "counteroffer",
            "comment": "We can lend 4,000 over 36 months.",
            "offer": {"amount": "4000.00", "term_months": 36},
            "reason_codes": [code],
        },
    )
    assert decided.status_code == 200, decided.text
    assert decided.json()["status"] == "offer_made"

    # The applicant's email: the offer, its installment, and the link to answer it.
    offer_mail = wait_until(
        lambda: next(
            (m for m in mailbox.to(applicant.email) if "offer on other terms" in m["Subject"]),
            None,
        ),
        timeout=45,
    )
    text = offer_mail["Body"]["text_part"]
    assert "$4,000.00" in text and "$132.86" in text
    page = re.search(r"/requests/([0-9a-f-]{36})", text)
    assert page and page.group(1) == request_id

    accepted = api.http.post(f"/api/v1/credit-requests/{page.group(1)}/offer/accept", headers=auth)
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["status"] == "approved"
    assert accepted.json()["amount"] == "5000.00"  # the request keeps what was asked for
    assert accepted.json()["offer"]["outcome"] == "accepted"

    approved = wait_until(
        lambda: next(
            (m for m in mailbox.to(applicant.email) if "was approved" in m["Subject"]), None
        ),
        timeout=45,
    )
    assert "terms you accepted" in approved["Body"]["text_part"]
    assert api.request(auth, request_id)["offer"]["outcome"] == "accepted"
