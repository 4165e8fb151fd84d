"""The alert rules are valid, and each fires on a failure and stays silent when healthy
(`promtool test rules`, with the synthetic series in alert.rules.test.yml)."""

import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _promtool(*args: str) -> subprocess.CompletedProcess[str]:
    promtool = shutil.which("promtool")
    assert promtool, "promtool is missing: install Debian's prometheus package (.ci/run does)"
    return subprocess.run([promtool, *args], capture_output=True, text=True, cwd=ROOT, check=False)


def test_rules_file_is_valid() -> None:
    result = _promtool("check", "rules", "alert.rules.yml")
    assert result.returncode == 0, result.stdout + result.stderr


def test_each_alert_fires_on_failure_and_not_when_healthy() -> None:
    result = _promtool("test", "rules", "tests/alerts/alert.rules.test.yml")
    assert result.returncode == 0, result.stdout + result.stderr
