"""Fuzzing the whole API from its OpenAPI document with Schemathesis (v4, the CLI, every
phase: examples, coverage, fuzzing and stateful), against the gateway under uvicorn, once
anonymously and once as a signed-in user of each role. Zero server errors and zero schema
violations are required, and the `ignored_auth` check proves that every operation the
document says needs a sign-in refuses a request without one or with a bad token.

Checks left out, and why:
- positive_data_acceptance / negative_data_rejection: they measure how exactly the JSON
  Schema states the input rules; some rules cannot be stated there (the common-password
  list, "a rejection needs a comment", opaque cursors), and they are tested directly;
- unsupported_method / allow_header_conformance: the local gateway answers 405 without an
  Allow header for undeclared methods (API Gateway answers 404): not the API's contract;
- object_level_authorization: needs two identities in one run; tests/security/
  test_object_authorization.py attacks every id-taking route with every role instead.

FUZZ_EXAMPLES (default 15) bounds the examples per operation; FUZZ_SEED replays a run.
"""

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from shared.auth import throttle
from shared.cache import get_redis
from shared.db import unit_of_work
from shared.users.models import User
from tests.security.conftest import ROOT, LiveServer
from tests.support import Api, Person

CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
    "ignored_auth",
    "use_after_free",
    "ensure_resource_availability",
    "missing_required_header",
)
RUNS = ("anonymous", "applicant", "analyst", "manager", "director", "admin")
CASES = re.compile(r"Test cases:\s*\n\s*(\d+) generated")


@pytest.fixture(scope="module")
def fuzz_users(client: TestClient, staff: dict[str, Person]) -> Iterator[dict[str, Person]]:
    """A fresh user per role, so the fuzzer acts on accounts of its own; afterwards every
    account it may have touched is put back (staff active in their roles, anyone else it
    made staff deactivated), and the per-address login throttle it ran up is cleared."""
    api = Api(client)
    admin = api.login(staff["admin1"])
    users: dict[str, Person] = {}
    for role in RUNS[1:]:
        person = api.register(f"fuzz-{role}")
        if role != "applicant":
            response = api.http.patch(
                f"/api/v1/users/{person.id}", json={"role": role}, headers=admin
            )
            assert response.status_code == 200
        users[role] = person
    yield users
    with unit_of_work() as session:
        for person in staff.values():
            session.execute(
                update(User).where(User.id == person.id).values(role=person.role, is_active=True)
            )
        session.execute(
            update(User)
            .where(User.role != "applicant", User.id.not_in([p.id for p in staff.values()]))
            .values(is_active=False)
        )
    get_redis().delete(throttle._key("address", "127.0.0.1"))
    from infra.local.runner import drain

    drain()  # what the fuzzer's submissions set off, before later tests drain


@pytest.mark.parametrize("who", RUNS)
def test_schemathesis_finds_no_server_error_or_schema_violation(
    live_server: LiveServer,
    fuzz_users: dict[str, Person],
    who: str,
    tmp_path: Path,
    request: pytest.FixtureRequest,
) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    if who != "anonymous":
        env |= {
            "SCHEMATHESIS_HOOKS": "tests.security.fuzz_hooks",
            "FUZZ_USER_ID": str(fuzz_users[who].id),
            "FUZZ_ROLE": who,
        }
    command = [
        str(Path(sys.executable).with_name("schemathesis")),
        "--no-color",
        "run",
        f"{live_server.url}/api/v1/openapi.json",
        "--url",
        live_server.url,
        "--checks",
        ",".join(CHECKS),
        "--max-examples",
        os.environ.get("FUZZ_EXAMPLES", "15"),
        "--generation-database",
        "none",
        "--max-failures",
        "25",
        "--request-timeout",
        "30",
        "--suppress-health-check",
        "too_slow",
    ]
    if seed := os.environ.get("FUZZ_SEED"):
        command += ["--seed", seed]
    result = subprocess.run(
        command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600
    )
    output = result.stdout + result.stderr
    found = CASES.search(output)
    assert found, output[-5000:]
    cases = int(found.group(1))
    request.node.user_properties.append(("schemathesis_cases", cases))
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_line(
            f"schemathesis [{who}]: {cases} cases generated, exit {result.returncode}"
        )
    assert result.returncode == 0, output[-20000:]
    assert cases > 100
