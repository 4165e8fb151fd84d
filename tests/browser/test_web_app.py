"""The web app in a real browser: Debian's Chromium driven by playwright-core (Node), against
the stack this package starts. The flows, the axe-core accessibility scans of every screen and
the screenshots are in frontend/e2e/; this test runs them and reports their output."""

from tests.browser.flows import run_flow
from tests.support import Person


def test_browser_flows_and_accessibility(base_url: str, staff: dict[str, Person]) -> None:
    output = run_flow("run.mjs", base_url, staff, timeout=1200)
    print(output)  # noqa: T201 - the flows' and axe's summary, shown with -s
