"""Counteroffers in Debian's Chromium against the running stack (frontend/e2e/offer_flow.mjs):
the final approver approves other terms in the web app, the applicant accepts them; every
screen axe-clean, screenshots in artifacts/screenshots/offer-*.png."""

import re

from tests.browser.flows import run_flow
from tests.support import Person


def test_an_approver_offers_other_terms_and_the_applicant_accepts_in_the_browser(
    base_url: str, staff: dict[str, Person]
) -> None:
    output = run_flow("offer_flow.mjs", base_url, staff)
    counts = re.findall(r"axe .*: (\d+) violations", output)
    assert counts and set(counts) == {"0"}, output
