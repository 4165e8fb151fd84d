"""A request's conversation in Debian's Chromium against the running stack
(frontend/e2e/conversation_flow.mjs, axe-scanned on both sides, screenshots in
artifacts/screenshots/conversation-*.png): the approver posts an internal note and a message
on the request page; the applicant follows the link in the email about it, signs in, lands on
the request page, sees the message but never the note and answers; then the emails: the
message reached the applicant, the answer the approver, the note nobody."""

import re

from tests.browser.flows import run_flow
from tests.conftest import Mailbox, wait_until
from tests.support import Person


def test_a_note_and_a_message_posted_in_the_web_app(
    base_url: str, staff: dict[str, Person], mailbox: Mailbox
) -> None:
    output = run_flow("conversation_flow.mjs", base_url, staff)
    # Each side at 1280 and 390 px, in both themes.
    assert re.findall(r"axe .*: (\d+) violations", output) == ["0"] * 8, output
    values = dict(re.findall(r"^(REQUEST|APPLICANT|APPROVER)=(.+)$", output, re.MULTILINE))
    request_id = values["REQUEST"]
    approver = next(p for p in staff.values() if p.username == values["APPROVER"])
    subject = f"New message about credit request {request_id[:8]}"

    def texts(address: str) -> list[str]:
        return [m["Body"]["text_part"] for m in mailbox.to(address) if m["Subject"] == subject]

    [to_applicant] = wait_until(lambda: texts(values["APPLICANT"]), timeout=45)
    assert "Could you confirm your employer's name?" in to_applicant
    [to_approver] = wait_until(lambda: texts(approver.email), timeout=45)
    assert "Sure: <Acme> & Sons, since 2019." in to_approver
    assert not any("payslip matches" in t for t in [*texts(values["APPLICANT"]), to_approver])
