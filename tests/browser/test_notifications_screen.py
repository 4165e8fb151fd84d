"""The Notifications screen in Debian's Chromium against the running stack: a new applicant
turns on a signed webhook (frontend/e2e/notifications_flow.mjs, axe-scanned at phone and
desktop width), is shown the secret once, and the next workflow event reaches a receiver on
this machine signed with that very secret."""

import re
import uuid

import httpx
from standardwebhooks.webhooks import Webhook

from shared.auth.account_links import verification_token
from tests.browser.flows import run_flow
from tests.conftest import wait_until
from tests.support import GOOD_APPLICATION, Person
from tests.webhook_receiver import webhook_receiver


def test_a_webhook_set_on_the_screen_receives_signed_events(
    base_url: str, staff: dict[str, Person]
) -> None:
    with webhook_receiver(204) as receiver:
        output = run_flow("notifications_flow.mjs", base_url, staff, RECEIVER_URL=receiver.url)
        # The phone's scans in both themes, then two desktop screens at 1280 and 390 px in both.
        assert re.findall(r"axe .*: (\d+) violations", output) == ["0"] * 10, output
        values = dict(re.findall(r"^(SECRET|USER|PASSWORD)=(.+)$", output, re.MULTILINE))

        # The stack's runner delivers the applicant's next event to the receiver.
        token = httpx.post(
            f"{base_url}/api/v1/token",
            data={"username": values["USER"], "password": values["PASSWORD"]},
        ).json()["access_token"]
        # Their address verified (as following the welcome email's link would): only then
        # may they submit.
        me = httpx.get(
            f"{base_url}/api/v1/users/me", headers={"Authorization": f"Bearer {token}"}
        ).json()
        verified = httpx.post(
            f"{base_url}/api/v1/email-verifications",
            json={"token": verification_token(uuid.UUID(me["id"]), me["email"])},
        )
        assert verified.status_code == 200, verified.text
        submitted = httpx.post(
            f"{base_url}/api/v1/credit-requests",
            json=GOOD_APPLICATION,
            headers={"Authorization": f"Bearer {token}"},
        )
        assert submitted.status_code == 202, submitted.text
        request_id = submitted.json()["id"]
        delivery = wait_until(
            lambda: next((r for r in receiver.received if request_id in r.body.decode()), None),
            timeout=60,
        )
    payload = Webhook(values["SECRET"]).verify(delivery.body, delivery.headers)
    assert payload["type"] == "request.submitted"
    assert payload["data"]["request_id"] == request_id
