"""A rendered email in a real browser: Debian's Chromium opens the HTML part of the emails
people act on and axe-core scans it (WCAG 2.x A/AA) at desktop and phone width: 0 violations.
The scan itself is frontend/e2e/email_axe.mjs (playwright-core and @axe-core/playwright, as
the web app's browser flows use)."""

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from shared.notifications import emails
from tests.notification_samples import SAMPLES

ROOT = Path(__file__).resolve().parents[2]
FRONTEND = ROOT / "frontend"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
# The approver's (button, facts table, link), the applicant's adverse action notices (lists,
# facts tables, quoted comment; one without a comment), and a conversation's message (quoted
# text a person wrote, the link to answer on).
SCANNED = (
    "stage_assigned",
    "request_rejected",
    "request_auto_rejected",
    "request_incomplete",
    "message_posted_to_applicant",
)


def test_rendered_emails_have_no_accessibility_violations(tmp_path: Path) -> None:
    node = shutil.which("node")
    if node is None:
        pytest.fail("Node.js is required for the browser tests")
    if not (FRONTEND / "node_modules" / "@axe-core" / "playwright").is_dir():
        pytest.fail("frontend/node_modules is missing: run `make frontend` (make test does)")
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: `apt-get install chromium`")
    files = []
    for name in SCANNED:
        path = tmp_path / f"{name}.html"
        path.write_text(emails.render(SAMPLES[name]).html)
        files.append(str(path))

    result = subprocess.run(
        [node, "e2e/email_axe.mjs", *files],
        cwd=FRONTEND,
        env={
            **os.environ,
            "CHROMIUM_PATH": CHROMIUM,
            "SCREENSHOT_DIR": str(ROOT / "artifacts" / "screenshots"),
        },
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, f"axe found violations (exit {result.returncode}):\n{output}"
    scans = re.findall(r"\((desktop|phone)\): (\d+) violations, (\d+) rules passed", output)
    assert len(scans) == 2 * len(SCANNED), output  # every email, at both widths, was scanned
    assert all(violations == "0" and int(passed) > 10 for _, violations, passed in scans), output
