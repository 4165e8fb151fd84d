"""`make audit-verify`, `make drill` and `make load-data` run the modules the integration tests
exercise (tests/integration/test_audit_chain.py, test_restore_drill.py), with the services
`make restore` gets."""

import re
from pathlib import Path

import pytest

MAKEFILE = (Path(__file__).resolve().parents[2] / "Makefile").read_text()


def _recipe(target: str) -> str:
    found = re.search(rf"^{re.escape(target)}:.*\n((?:\t.*\n)+)", MAKEFILE, re.MULTILINE)
    assert found, f"make {target} is missing"
    return found.group(1)


@pytest.mark.parametrize(
    ("target", "module"),
    [
        ("audit-verify", "shared.audit.verify"),
        ("drill", "infra.local.drill"),
        ("load-data", "infra.local.load_data"),
        ("soak", "benchmarks soak"),
        ("bench-scale", "benchmarks.scale"),
    ],
)
def test_the_target_runs_its_module_with_the_services(target: str, module: str) -> None:
    recipe = _recipe(target)
    assert "-m infra.local.stack run --" in recipe
    assert f"-m {module}" in recipe
    assert re.search(rf"^\.PHONY:.*\b{re.escape(target)}\b", MAKEFILE, re.MULTILINE)


def test_requests_reach_the_loader() -> None:
    for target in ("drill", "load-data"):
        assert "$(if $(REQUESTS),--requests $(REQUESTS))" in _recipe(target)


def test_the_soak_takes_its_duration_and_rate() -> None:
    assert "--seconds $(DURATION)" in _recipe("soak")
    assert "$(if $(RATE),--rate $(RATE))" in _recipe("soak")
    assert re.search(r"^DURATION \?= 600$", MAKEFILE, re.MULTILINE)
