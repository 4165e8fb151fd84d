"""A conversation over HTTP with the queue runner as its own process: the applicant's message
reaches the approver holding the request by email, the approver's internal note reaches
nobody, and the approver's reply reaches the applicant, each email with the request page's
link to answer on; read from LocalStack's SES."""

from typing import Any

from tests.conftest import Mailbox, wait_until
from tests.support import Api, Person


def _new_message(mailbox: Mailbox, person: Person, request_id: str, text: str) -> dict[str, Any]:
    subject = f"New message about credit request {request_id[:8]}"
    return dict(
        wait_until(
            lambda: next(
                (
                    m
                    for m in mailbox.to(person.email)
                    if m["Subject"] == subject and text in m["Body"]["text_part"]
                ),
                None,
            ),
            timeout=45,
        )
    )


def test_a_question_and_its_answer_go_by_email_and_notes_stay_in(
    api: Api, staff: dict[str, Person], mailbox: Mailbox
) -> None:
    applicant = api.register("conversing")
    auth = api.login(applicant)
    request_id = api.submit(auth)["id"]
    url = f"/api/v1/credit-requests/{request_id}/messages"

    def held() -> str | None:
        stages = api.staff_view(staff, request_id)["stages"]
        return next((s["assignee"] for s in stages if s["status"] == "pending"), None)

    username = wait_until(held, timeout=45)
    approver = next(p for p in staff.values() if p.username == username)
    approver_auth = api.login(approver)

    asked = api.http.post(
        url, json={"kind": "message", "body": "Is a payslip enough?"}, headers=auth
    )
    assert asked.status_code == 201, asked.text
    question = _new_message(mailbox, approver, request_id, "Is a payslip enough?")
    page = f"http://app.test/requests/{request_id}"
    assert page in question["Body"]["text_part"] and page in question["Body"]["html_part"]

    note = api.http.post(
        url, json={"kind": "note", "body": "Ask for the bank statement too."}, headers=approver_auth
    )
    assert note.status_code == 201, note.text
    replied = api.http.post(
        url, json={"kind": "message", "body": "Yes, one payslip is enough."}, headers=approver_auth
    )
    assert replied.status_code == 201, replied.text
    answer = _new_message(mailbox, applicant, request_id, "Yes, one payslip is enough.")
    assert page in answer["Body"]["text_part"]
    assert approver.username not in answer["Body"]["text_part"]

    everything = [m["Body"]["text_part"] for m in mailbox.to(applicant.email)] + [
        m["Body"]["text_part"] for m in mailbox.to(approver.email)
    ]
    assert not any("bank statement too" in text for text in everything)
    seen = api.http.get(url, headers=auth).json()["items"]
    assert [m["body"] for m in seen] == ["Is a payslip enough?", "Yes, one payslip is enough."]
