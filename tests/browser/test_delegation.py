"""The Out of office screen in Debian's Chromium against the running stack
(frontend/e2e/out_of_office_flow.mjs, axe-scanned): an analyst sets an absence with a
colleague as delegate and cancels it, and an administrator sees it from the Users page; the
API then holds exactly what the screen said."""

import re
from typing import Any

import httpx

from tests.browser.flows import run_flow
from tests.support import Person


def test_an_absence_set_and_cancelled_on_the_screen(
    base_url: str, staff: dict[str, Person]
) -> None:
    analyst = staff["analyst1"]
    token = httpx.post(
        f"{base_url}/api/v1/token",
        data={"username": analyst.username, "password": analyst.password},
    ).json()["access_token"]

    def absences() -> list[dict[str, Any]]:
        response = httpx.get(
            f"{base_url}/api/v1/users/me/absences", headers={"Authorization": f"Bearer {token}"}
        )
        return list(response.json())

    # Other tests of the same stack may have set (and cancelled) absences for this analyst.
    earlier = {a["id"] for a in absences()}

    output = run_flow("out_of_office_flow.mjs", base_url, staff)

    # The analyst's screen at 1280 and 390 px in both themes, then the admin's dialog in both.
    assert re.findall(r"axe .*: (\d+) violations", output) == ["0"] * 6, output
    new = [a for a in absences() if a["id"] not in earlier]
    assert [a["state"] for a in new] == ["cancelled"]
    assert new[0]["delegate"] == staff["analyst2"].username
