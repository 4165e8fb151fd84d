"""/health/ready with a dependency pointed at a dead port, in a real gateway process: a
required one (PostgreSQL, the SQS queues) makes it 503, Redis only degrades it (200)."""

from pathlib import Path

import httpx
import pytest

from tests.conftest import free_port, running_stack


@pytest.mark.parametrize(
    ("dependency", "setting", "dead", "code", "status"),
    [
        ("redis", "REDIS_URL", "redis://127.0.0.1:{port}/0", 200, "degraded"),
        (
            "database",
            "DATABASE_URL",
            "postgresql+psycopg://postgres@127.0.0.1:{port}/credit",
            503,
            "unavailable",
        ),
        ("queues", "AWS_ENDPOINT_URL", "http://127.0.0.1:{port}", 503, "unavailable"),
    ],
)
def test_a_dead_dependency_is_named_with_the_others_still_measured(
    tmp_path: Path, dependency: str, setting: str, dead: str, code: int, status: str
) -> None:
    env = {setting: dead.format(port=free_port())}
    with running_stack(tmp_path, runner=False, access_log=False, **env) as url:
        response = httpx.get(f"{url}/api/v1/health/ready", timeout=10)
    assert response.status_code == code
    body = response.json()
    assert body["status"] == status
    for name, check in body["checks"].items():
        assert check["status"] == ("unavailable" if name == dependency else "ok"), name
        assert check["latency_ms"] >= 0
    assert body["checks"][dependency]["error"] == "unreachable"
