"""Running one of the web app's browser flows (frontend/e2e/*.mjs: playwright-core driving
Debian's Chromium) against the stack this package starts, with what every flow is told."""

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


def run_flow(
    script: str,
    base_url: str,
    staff: dict[str, Person],
    *,
    timeout: int = 300,
    **env: str,
) -> str:
    """Run `frontend/e2e/<script>`; fail the test with its output unless it exits 0. Returns
    what it printed (its axe summaries, and any values it hands back)."""
    node = shutil.which("node")
    if node is None:
        pytest.fail("Node.js is required for the browser tests")
    if not (FRONTEND / "dist" / "index.html").is_file():
        pytest.fail("frontend/dist is missing: run `make frontend` (make test does)")
    if not (FRONTEND / "node_modules" / "playwright-core").is_dir():
        pytest.fail("frontend/node_modules is missing: run `make frontend` (make test does)")
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: `apt-get install chromium`")
    result = subprocess.run(
        [node, f"e2e/{script}"],
        cwd=FRONTEND,
        env={
            **os.environ,
            "BASE_URL": base_url,
            "STAFF_USERS": json.dumps({key: person.username for key, person in staff.items()}),
            "STAFF_PASSWORD": STAFF_PASSWORD,
            "AWS_ENDPOINT_URL": os.environ["AWS_ENDPOINT_URL"],
            "CHROMIUM_PATH": CHROMIUM,
            "SCREENSHOT_DIR": str(ROOT / "artifacts" / "screenshots"),
            **env,
        },
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, f"{script} failed (exit {result.returncode}):\n{output}"
    return output
