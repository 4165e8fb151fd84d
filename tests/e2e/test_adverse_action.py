"""An automatic decline over real HTTP, the runner delivering its events: the applicant's
email is the adverse action notice with every element, and its link to the notice page is
the page the API serves."""

import re

import httpx

from shared.credit.bureau import DeclaredDataBureau
from tests.conftest import Mailbox, wait_until
from tests.support import Api


def test_an_automatic_decline_is_emailed_as_a_notice_whose_page_link_works(
    api: Api, base_url: str, mailbox: Mailbox
) -> None:
    applicant = api.register("e2e-declined")
    auth = api.login(applicant)
    request_id = api.submit(auth, credit_score=520, bankruptcies_7y=1)["id"]

    def notice_email() -> dict | None:
        found = [
            m
            for m in mailbox.to(applicant.email)
            if f"notice about credit request {request_id[:8]}" in m["Subject"]
        ]
        return found[0] if found else None

    email = wait_until(notice_email, timeout=45)
    text, html = email["Body"]["text_part"], email["Body"]["html_part"]
    assert email["Subject"].startswith("Your credit request was declined")
    contact = DeclaredDataBureau.contact
    for element in (
        "Principal reasons",
        "A bankruptcy is on record within the last 7 years.",
        "The credit score of 520 is below the minimum of 580.",
        "Your credit score: 520",
        "Scores range from: 300 to 850",
        "Date of the score: ",
        "Key factors that adversely affected your score",
        "1 bankruptcy filing(s) in the last 7 years.",
        contact.name,
        contact.address,
        contact.phone,
        contact.website,
        "played no part in our decision",
        "free copy of your report",
        "60 days",
        "right to dispute",
        "Equal Credit Opportunity Act",
        "Consumer Financial Protection Bureau, 1700 G Street NW, Washington, DC 20552",
    ):
        assert element in text, element
    assert "<html" in html and contact.name in html

    # The link in the email opens the web app's notice page (the SPA), whose data the API gives.
    [link] = re.findall(r"http://app\.test(/requests/[0-9a-f-]+/notice)", text)
    assert link == f"/requests/{request_id}/notice"
    page = httpx.get(f"{base_url}{link}", timeout=10)
    assert page.status_code == 200 and '<div id="root"' in page.text
    notice = api.http.get(f"/api/v1/credit-requests/{request_id}/notice", headers=auth)
    assert notice.status_code == 200, notice.text
    body = notice.json()
    assert body["action"] == "auto_rejected" and body["sent_at"] is not None
    assert body["score"]["value"] == 520
    assert [r["code"] for r in body["reasons"]] == ["RECENT_BANKRUPTCY", "LOW_CREDIT_SCORE"]
