"""Human review of an automatic decline in Debian's Chromium against the running stack
(frontend/e2e/review_flow.mjs): the applicant asks on the request page, the reviewer
overturns one decline and confirms another from the inbox, the applicant reads why; axe-clean
at phone and desktop widths in both themes, with screenshots."""

import re
import uuid
from typing import Any

import httpx

from tests.browser.flows import run_flow
from tests.conftest import wait_until
from tests.support import GOOD_APPLICATION, STAFF_PASSWORD, Person, verification_token


def _http(base_url: str, method: str, path: str, **kwargs: Any) -> httpx.Response:
    return httpx.request(method, f"{base_url}/api/v1{path}", timeout=30, **kwargs)


def _auth(base_url: str, username: str, password: str) -> dict[str, str]:
    token = _http(
        base_url, "POST", "/token", data={"username": username, "password": password}
    ).json()["access_token"]
    return {"Authorization": f"Bearer {token}"}


def test_an_applicant_asks_and_a_reviewer_overturns_or_confirms_in_the_app(
    base_url: str, staff: dict[str, Person]
) -> None:
    admin = _auth(base_url, staff["admin1"].username, STAFF_PASSWORD)
    # The reviewer: a fresh analyst, who sorts first among the equally idle.
    suffix = uuid.uuid4().hex[:8]
    reviewer = {
        "username": f"aaaa-reviewer-{suffix}",
        "email": f"aaaa-reviewer-{suffix}@example.com",
        "password": "reviewer-password-1",
        "full_name": "Rita Reviewer",
    }
    applicant = {
        "username": f"contests-{suffix}",
        "email": f"contests-{suffix}@example.com",
        "password": "applicant-password-1",
        "full_name": "Carla Contests",
    }
    ids = {}
    for person in (reviewer, applicant):
        created = _http(base_url, "POST", "/users", json=person)
        assert created.status_code == 201, created.text
        ids[person["username"]] = uuid.UUID(created.json()["id"])
        verified = _http(
            base_url,
            "POST",
            "/email-verifications",
            json={"token": verification_token(_person(person, ids))},
        )
        assert verified.status_code == 200, verified.text
    reviewer_id = ids[reviewer["username"]]
    promoted = _http(
        base_url, "PATCH", f"/users/{reviewer_id}", json={"role": "analyst"}, headers=admin
    )
    assert promoted.status_code == 200, promoted.text
    try:
        auth = _auth(base_url, applicant["username"], applicant["password"])
        declined = []
        for _ in range(2):
            submitted = _http(
                base_url,
                "POST",
                "/credit-requests",
                json={**GOOD_APPLICATION, "credit_score": 540, "bankruptcies_7y": 1},
                headers=auth,
            )
            assert submitted.status_code == 202, submitted.text
            declined.append(submitted.json()["id"])

        def all_declined() -> bool:
            return all(
                _http(base_url, "GET", f"/credit-requests/{r}", headers=auth).json()["status"]
                == "auto_rejected"
                for r in declined
            )

        wait_until(all_declined, timeout=60)
        output = run_flow(
            "review_flow.mjs",
            base_url,
            staff,
            APPLICANT=applicant["username"],
            APPLICANT_PASSWORD=applicant["password"],
            REVIEWER=reviewer["username"],
            REVIEWER_PASSWORD=reviewer["password"],
            OVERTURN_ID=declined[0],
            CONFIRM_ID=declined[1],
        )
        scans = re.findall(r"axe .*: (\d+) violations", output)
        assert scans and set(scans) == {"0"}, output
        overturned = _http(base_url, "GET", f"/credit-requests/{declined[0]}", headers=admin)
        stages = overturned.json()["stages"]
        assert stages and all(s["assignee"] != reviewer["username"] for s in stages)
        confirmed = _http(base_url, "GET", f"/credit-requests/{declined[1]}", headers=auth)
        assert confirmed.json()["status"] == "rejected"
    finally:
        # Later tests' routing must not find this analyst.
        _http(
            base_url,
            "PATCH",
            f"/users/{reviewer_id}",
            json={"role": "applicant", "is_active": False},
            headers=admin,
        )


def _person(body: dict[str, str], ids: dict[str, uuid.UUID]) -> Person:
    return Person(
        ids[body["username"]], body["username"], body["email"], body["password"], "applicant"
    )
