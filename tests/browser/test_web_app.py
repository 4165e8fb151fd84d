"""The web app in a real browser: Debian's Chromium driven by playwright-core (Node), against
the stack this package starts. The flows, the axe-core accessibility scans of every screen and
the screenshots are in frontend/e2e/; this test runs them and reports their output."""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.support import STAFF_PASSWORD, Person

ROOT = Path(__file__).resolve().parents[2]
FRONTEND = ROOT / "frontend"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


def test_browser_flows_and_accessibility(base_url: str, staff: dict[str, Person]) -> None:
    node = shutil.which("node")
    if node is None:
        pytest.fail("Node.js is required for the browser tests")
    if not (FRONTEND / "dist" / "index.html").is_file():
        pytest.fail("frontend/dist is missing: run `make frontend` (make test does)")
    if not (FRONTEND / "node_modules" / "playwright-core").is_dir():
        pytest.fail("frontend/node_modules is missing: run `make frontend` (make test does)")
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: `apt-get install chromium`")

    env = {
        **os.environ,
        "BASE_URL": base_url,
        "STAFF_USERS": json.dumps({key: person.username for key, person in staff.items()}),
        "STAFF_PASSWORD": STAFF_PASSWORD,
        "AWS_ENDPOINT_URL": os.environ["AWS_ENDPOINT_URL"],
        "CHROMIUM_PATH": CHROMIUM,
        "SCREENSHOT_DIR": str(ROOT / "artifacts" / "screenshots"),
    }
    result = subprocess.run(
        [node, "e2e/run.mjs"],
        cwd=FRONTEND,
        env=env,
        capture_output=True,
        text=True,
        timeout=1200,
        check=False,
    )
    output = result.stdout + result.stderr
    print(output)  # noqa: T201 - the flows' and axe's summary, shown with -s or on failure
    assert result.returncode == 0, f"browser flows failed (exit {result.returncode}):\n{output}"
