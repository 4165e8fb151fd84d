"""The GitHub Actions workflow (.github/workflows/ci.yml): pinned actions, least privilege, a
guarded deploy, and service containers of the same versions the rest of the project uses."""

import importlib.resources
import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
WORKFLOW = ROOT / ".github" / "workflows" / "ci.yml"
LOCALSTACK_VERSION = "4.14.0"
POSTGRES_IMAGE = "postgres:15"
PINNED_USE = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40}$")
USES_LINE = re.compile(r"^\s*(?:-\s+)?uses:\s*(\S+)(.*)$")


@pytest.fixture(scope="module")
def workflow() -> dict[Any, Any]:
    loaded = yaml.safe_load(WORKFLOW.read_text())
    assert isinstance(loaded, dict)
    return loaded


@pytest.fixture(scope="module")
def jobs(workflow: dict[Any, Any]) -> dict[str, dict[str, Any]]:
    found = workflow["jobs"]
    assert isinstance(found, dict)
    return found


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    loaded = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    assert isinstance(loaded, dict)
    return loaded


def triggers(workflow: dict[Any, Any]) -> dict[str, Any]:
    # YAML 1.1 (PyYAML) reads the key `on` as the boolean True.
    found = workflow.get("on", workflow.get(True))
    assert isinstance(found, dict)
    return found


def runs(job: dict[str, Any]) -> list[str]:
    return [" ".join(str(step["run"]).split()) for step in job.get("steps", []) if "run" in step]


def test_parses_with_the_expected_jobs(jobs: dict[str, dict[str, Any]]) -> None:
    assert set(jobs) == {
        "lint",
        "types",
        "unit",
        "integration",
        "frontend",
        "compose-and-template",
        "promtool",
        "function-image",
        "deploy",
    }
    for name, job in jobs.items():
        assert job.get("timeout-minutes"), f"{name}: no timeout"


def test_validates_against_the_workflow_schema(workflow: dict[Any, Any]) -> None:
    pytest.importorskip("check_jsonschema", reason="check-jsonschema ships the workflow schema")
    validators = pytest.importorskip("jsonschema.validators")
    schema_file = (
        importlib.resources.files("check_jsonschema.builtin_schemas.vendor")
        / "github-workflows.json"
    )
    schema = json.loads(schema_file.read_text())
    # The schema knows the key as "on"; PyYAML reads it as True.
    document = {("on" if key is True else key): value for key, value in workflow.items()}
    errors = [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in validators.validator_for(schema)(schema).iter_errors(document)
    ]
    assert errors == []


def test_every_action_is_pinned_to_a_commit_sha(jobs: dict[str, dict[str, Any]]) -> None:
    uses = [
        step["uses"] for job in jobs.values() for step in job.get("steps", []) if "uses" in step
    ]
    assert uses
    for use in uses:
        assert PINNED_USE.match(use), f"{use}: pin the action to a full commit SHA"
    # The same action is the same commit everywhere.
    shas: dict[str, set[str]] = {}
    for use in uses:
        action, sha = use.split("@")
        shas.setdefault(action, set()).add(sha)
    assert all(len(found) == 1 for found in shas.values()), shas


def test_every_pin_names_its_release(jobs: dict[str, dict[str, Any]]) -> None:
    """A `# vX.Y.Z` comment after each SHA says which release it is (for review and updates)."""
    lines = [m for line in WORKFLOW.read_text().splitlines() if (m := USES_LINE.match(line))]
    assert len(lines) == sum(
        "uses" in step for job in jobs.values() for step in job.get("steps", [])
    )
    for match in lines:
        assert re.fullmatch(r"\s*# v\d+(\.\d+){0,2}\s*", match[2]), f"{match[1]}: no # vX.Y.Z"


def test_top_level_permissions_are_read_only(
    workflow: dict[Any, Any], jobs: dict[str, dict[str, Any]]
) -> None:
    assert workflow["permissions"] == {"contents": "read"}
    for name, job in jobs.items():
        if name != "deploy":
            assert "permissions" not in job, f"{name}: only the deploy job widens permissions"
    assert jobs["deploy"]["permissions"] == {"contents": "read", "id-token": "write"}


def test_no_expression_is_expanded_inside_a_script(jobs: dict[str, dict[str, Any]]) -> None:
    """Secrets and event data reach scripts as environment variables, never as `${{ }}`
    pasted into shell text (script injection, secrets in command lines)."""
    for name, job in jobs.items():
        for script in runs(job):
            assert "${{" not in script, f"{name}: {script}"


def test_deploy_runs_only_on_version_tags_behind_an_environment(
    workflow: dict[Any, Any], jobs: dict[str, dict[str, Any]]
) -> None:
    assert triggers(workflow)["push"]["tags"] == ["v*"]
    deploy = jobs["deploy"]
    condition = " ".join(deploy["if"].split())
    assert "startsWith(github.ref, 'refs/tags/v')" in condition
    assert "github.event_name == 'push'" in condition
    assert deploy["environment"] == "production"
    assert set(deploy["needs"]) == set(jobs) - {"deploy"}, "deploys only what passed every job"
    steps = [step.get("uses", "").split("@")[0] for step in deploy["steps"]]
    assert "aws-actions/configure-aws-credentials" in steps
    assert "aws-actions/setup-sam" in steps
    [credentials] = [s for s in deploy["steps"] if "configure-aws-credentials" in s.get("uses", "")]
    assert "role-to-assume" in credentials["with"], "OIDC: a role, not stored keys"
    assert not {"aws-access-key-id", "aws-secret-access-key"} & set(credentials["with"])
    scripts = runs(deploy)
    assert any(s.startswith("sam build --template-file infra/template.yaml") for s in scripts)
    [deploy_script] = [s for s in scripts if s.startswith("sam deploy")]
    # The functions are container images: sam deploy must have ECR repositories to push to.
    assert "--resolve-image-repos" in deploy_script
    template = yaml.safe_load((ROOT / "infra" / "template.yaml").read_text())
    required = {k for k, p in template["Parameters"].items() if "Default" not in p}
    for parameter in required:
        assert f'"{parameter}=$' in deploy_script, f"{parameter} is not passed to sam deploy"


def test_service_containers_match_the_rest_of_the_project(
    jobs: dict[str, dict[str, Any]], compose: dict[str, Any]
) -> None:
    services = jobs["integration"]["services"]
    compose_services = compose["services"]
    assert services["postgres"]["image"] == POSTGRES_IMAGE == compose_services["postgres"]["image"]
    assert services["redis"]["image"] == compose_services["redis"]["image"]
    localstack = services["localstack"]
    assert localstack["image"] == f"localstack/localstack:{LOCALSTACK_VERSION}"
    assert localstack["image"] == compose_services["localstack"]["image"]
    host_mode = (ROOT / "localstack" / "requirements.txt").read_text()
    assert f"localstack-core[runtime]=={LOCALSTACK_VERSION}" in host_mode
    assert localstack["env"] == compose_services["localstack"]["environment"]
    assert localstack["env"]["SQS_ENDPOINT_STRATEGY"] == "path"
    for name, service in services.items():
        assert "--health-cmd" in service["options"], f"{name}: jobs start before it is ready"


def test_integration_tests_use_the_service_containers(jobs: dict[str, dict[str, Any]]) -> None:
    job = jobs["integration"]
    env, services = job["env"], job["services"]

    def published(name: str) -> int:
        [port] = services[name]["ports"]
        return int(str(port).split(":")[0])

    database = urlparse(env["DATABASE_URL"])
    assert database.scheme == "postgresql+psycopg"
    assert (database.hostname, database.port) == ("127.0.0.1", published("postgres"))
    assert database.username == services["postgres"]["env"]["POSTGRES_USER"]
    assert database.password == services["postgres"]["env"]["POSTGRES_PASSWORD"]
    redis = urlparse(env["REDIS_URL"])
    assert (redis.hostname, redis.port) == ("127.0.0.1", published("redis"))
    endpoint = urlparse(env["AWS_ENDPOINT_URL"])
    assert (endpoint.hostname, endpoint.port) == ("127.0.0.1", published("localstack"))
    scripts = runs(job)
    assert "python -m pytest tests/integration tests/e2e" in scripts
    assert not any(s.startswith("make") for s in scripts), "make test starts its own services"


def test_jobs_run_the_checks_they_are_named_for(jobs: dict[str, dict[str, Any]]) -> None:
    from infra.template import RUNTIME

    assert {"ruff format --check .", "ruff check ."} <= set(runs(jobs["lint"]))
    assert "mypy ." in runs(jobs["types"])
    assert any(s.startswith("python -m pytest tests/unit") for s in runs(jobs["unit"]))
    compose_checks = " ".join(runs(jobs["compose-and-template"]))
    for check in (
        "tests/unit/test_compose.py",
        "tests/unit/test_template.py",
        ".venv-cfnlint/bin/cfn-lint infra/template.yaml",
    ):
        assert check in compose_checks
    assert {
        "promtool check rules alert.rules.yml",
        "promtool test rules tests/alerts/alert.rules.test.yml",
    } <= set(runs(jobs["promtool"]))
    images = " ".join(runs(jobs["function-image"]))
    assert "docker build -f functions/Dockerfile" in images
    assert "/2015-03-31/functions/function/invocations" in images  # through the real RIE
    workflow = yaml.safe_load(WORKFLOW.read_text())
    assert workflow["env"]["PYTHON_VERSION"] == RUNTIME.removeprefix("python")


def test_frontend_job_builds_and_tests_the_frontend(jobs: dict[str, dict[str, Any]]) -> None:
    job = jobs["frontend"]
    assert job["defaults"]["run"]["working-directory"] == "frontend"
    assert runs(job) == ["npm ci", "npm test -- --run", "npm run build"]
    [node] = [s for s in job["steps"] if s.get("uses", "").startswith("actions/setup-node@")]
    assert node["with"]["cache-dependency-path"] == "frontend/package-lock.json"
    package = ROOT / "frontend" / "package.json"
    if package.is_file():  # the frontend is built alongside; its scripts are what CI calls
        scripts = json.loads(package.read_text()).get("scripts", {})
        assert {"test", "build"} <= set(scripts), scripts
