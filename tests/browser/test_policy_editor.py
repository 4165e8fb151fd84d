"""The credit policy editor in Debian's Chromium against the running stack
(frontend/e2e/policy_flow.mjs): drafted on forms, a refused proposal's problems shown next to
their fields, four eyes, a simulation, activation; every screen axe-clean."""

import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.policy_versions import policy_restored
from tests.support import STAFF_PASSWORD, Person

ROOT = Path(__file__).resolve().parents[2]
FRONTEND = ROOT / "frontend"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


@pytest.fixture
def _policy_restored(database: str) -> Iterator[None]:
    with policy_restored():
        yield


@pytest.mark.usefixtures("_policy_restored")
def test_a_policy_is_edited_proposed_simulated_approved_and_activated_in_the_browser(
    base_url: str, staff: dict[str, Person]
) -> None:
    node = shutil.which("node")
    if node is None:
        pytest.fail("Node.js is required for the browser tests")
    if not (FRONTEND / "dist" / "index.html").is_file():
        pytest.fail("frontend/dist is missing: run `make frontend` (make test does)")
    result = subprocess.run(
        [node, "e2e/policy_flow.mjs"],
        cwd=FRONTEND,
        env={
            **os.environ,
            "BASE_URL": base_url,
            "STAFF_USERS": json.dumps({k: p.username for k, p in staff.items()}),
            "STAFF_PASSWORD": STAFF_PASSWORD,
            "AWS_ENDPOINT_URL": os.environ["AWS_ENDPOINT_URL"],
            "CHROMIUM_PATH": CHROMIUM,
            "SCREENSHOT_DIR": str(ROOT / "artifacts" / "screenshots"),
        },
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, f"the flow failed:\n{output}"
    assert re.findall(r"axe .*: (\d+) violations", output) == ["0", "0", "0", "0"], output
