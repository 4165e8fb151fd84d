"""cfn-lint passes on the AWS SAM template (infra/template.yaml) with no findings.

cfn-lint lives in its own virtualenv (.venv-cfnlint, pinned in infra/cfn-lint/requirements.txt;
`make install` creates it), so its dependencies never meet the app's.
"""

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CFN_LINT = ROOT / ".venv-cfnlint" / "bin" / "cfn-lint"
TEMPLATE = ROOT / "infra" / "template.yaml"


def test_template_passes_cfn_lint() -> None:
    assert CFN_LINT.is_file(), (
        "cfn-lint is not installed: run `make .venv-cfnlint/.installed` (part of `make install`)"
    )
    pinned = next(
        line.split("==", 1)[1].strip()
        for line in (ROOT / "infra" / "cfn-lint" / "requirements.txt").read_text().splitlines()
        if line.startswith("cfn-lint==")
    )
    version = subprocess.run(
        [str(CFN_LINT), "--version"], capture_output=True, text=True, check=True
    ).stdout
    assert version.split()[-1] == pinned, f"stale .venv-cfnlint ({version.strip()}): make install"
    result = subprocess.run(
        [str(CFN_LINT), "--format", "parseable", str(TEMPLATE.relative_to(ROOT))],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    findings = (result.stdout + result.stderr).strip()
    assert result.returncode == 0, findings
    assert findings == "", findings
