"""The credit policy editor in Debian's Chromium against the running stack
(frontend/e2e/policy_flow.mjs): drafted on forms, a refused proposal's problems shown next to
their fields, four eyes, a simulation, activation; every screen axe-clean."""

import re
from collections.abc import Iterator

import pytest

from tests.browser.flows import run_flow
from tests.policy_versions import policy_restored
from tests.support import Person


@pytest.fixture
def _policy_restored(database: str) -> Iterator[None]:
    with policy_restored():
        yield


@pytest.mark.usefixtures("_policy_restored")
def test_a_policy_is_edited_proposed_simulated_approved_and_activated_in_the_browser(
    base_url: str, staff: dict[str, Person]
) -> None:
    output = run_flow("policy_flow.mjs", base_url, staff)
    # Four screens, each at 1280 and 390 px in both themes.
    assert re.findall(r"axe .*: (\d+) violations", output) == ["0"] * 16, output
