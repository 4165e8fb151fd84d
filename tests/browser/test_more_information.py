"""Request more information in Debian's Chromium against the running stack: the approver
asks on their decision page, the applicant answers on their request page with a correction
(frontend/e2e/moreinfo_flow.mjs, axe-scanned, screenshots kept), and the request is back
with its approver, amended."""

import re

import httpx

from tests.browser.flows import run_flow
from tests.conftest import wait_until
from tests.support import Api, Person


def test_the_approver_asks_and_the_applicant_answers_in_the_web_app(
    base_url: str, staff: dict[str, Person]
) -> None:
    with httpx.Client(base_url=base_url, timeout=30) as http:
        api = Api(http)
        applicant = api.register("browsermore")
        auth = api.login(applicant)
        request_id = api.submit(auth)["id"]
        wait_until(lambda: api.request(auth, request_id)["status"] == "pending_approval")

        output = run_flow(
            "moreinfo_flow.mjs",
            base_url,
            staff,
            REQUEST_ID=request_id,
            APPLICANT_USER=applicant.username,
            APPLICANT_PASSWORD=applicant.password,
        )
        assert re.findall(r"axe .*: (\d+) violations", output) == ["0"] * 3, output
        detail = api.request(auth, request_id)
    assert (detail["status"], detail["amount"]) == ("pending_approval", "4500.00")
