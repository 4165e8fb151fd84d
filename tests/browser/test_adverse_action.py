"""The adverse action notice page in Debian's Chromium against the running stack
(frontend/e2e/notice_flow.mjs): an applicant whose request was declined automatically opens
the notice from the request page, sees every element, axe finds nothing at phone and desktop
width in either theme, and screenshots are kept (artifacts/screenshots/adverse-action-*)."""

import re
import uuid

import httpx

from shared.auth.account_links import verification_token
from tests.browser.flows import run_flow
from tests.conftest import wait_until
from tests.support import GOOD_APPLICATION, Person


def test_the_notice_page_of_an_automatic_decline(base_url: str, staff: dict[str, Person]) -> None:
    username, password = f"noticed-{uuid.uuid4().hex[:8]}", "noticed-password-1"
    registered = httpx.post(
        f"{base_url}/api/v1/users",
        json={
            "username": username,
            "password": password,
            "email": f"{username}@example.com",
            "full_name": "Nadia Noticed",
        },
    )
    assert registered.status_code == 201, registered.text
    user = registered.json()
    verified = httpx.post(
        f"{base_url}/api/v1/email-verifications",
        json={"token": verification_token(uuid.UUID(user["id"]), user["email"])},
    )
    assert verified.status_code == 200, verified.text
    token = httpx.post(
        f"{base_url}/api/v1/token", data={"username": username, "password": password}
    ).json()["access_token"]
    auth = {"Authorization": f"Bearer {token}"}
    submitted = httpx.post(
        f"{base_url}/api/v1/credit-requests",
        json={**GOOD_APPLICATION, "credit_score": 510},
        headers=auth,
    )
    assert submitted.status_code == 202, submitted.text
    request_id = submitted.json()["id"]
    wait_until(
        lambda: (
            httpx.get(
                f"{base_url}/api/v1/credit-requests/{request_id}/notice", headers=auth
            ).status_code
            == 200
        ),
        timeout=60,
    )

    output = run_flow(
        "notice_flow.mjs", base_url, staff, USER=username, PASSWORD=password, REQUEST_ID=request_id
    )
    # Four scans: desktop and phone width, light and dark.
    assert re.findall(r"axe .*: (\d+) violations", output) == ["0"] * 4, output
