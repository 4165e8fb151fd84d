"""Static checks of docker-compose.yml and the Dockerfile (no Docker engine is needed).

The compose stack must run the same code as `make local` (infra/local/stack.py): the same
module entry points, the same LocalStack version and services, resources created by the
same init hook (localstack/init). Every function of the route table and the topology runs in a
service of its own, built from functions/Dockerfile on the Lambda Python base image, and the
gateway and runner reach each through FUNCTION_URL_TEMPLATE. Prometheus scrapes what the
compose services serve (every function included) and loads alert.rules.yml; Grafana reads
Prometheus and the dashboard from infra/grafana/. Every variable the app and function services
read is documented in README.md's Configuration table.
"""

import ast
import importlib.resources
import json
import re
import shlex
import shutil
import subprocess
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
import yaml

from infra.local.invoke import HTTP_TIMEOUT_SECONDS, URL_TEMPLATE_VARIABLE, function_url
from shared.http.routes import HTTP_FUNCTIONS
from shared.messaging.topology import FUNCTION_TIMEOUT_SECONDS, QUEUES, SCHEDULES

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_PATH = ROOT / "docker-compose.yml"
STACK = ROOT / "infra" / "local" / "stack.py"  # what `make local` runs
SUPERVISOR = ROOT / "infra" / "local" / "supervisor.py"  # how it runs the gateway and runner
RUNNER = ROOT / "infra" / "local" / "runner.py"
README = ROOT / "README.md"
LOCALSTACK_VERSION = "4.14.0"
APP_SERVICES = ("migrate", "gateway", "runner")
FUNCTION_DOCKERFILE = "functions/Dockerfile"
RUNNER_FUNCTIONS = tuple(
    dict.fromkeys([*(q.function for q in QUEUES), *(s.function for s in SCHEDULES)])
)
FUNCTIONS = (*HTTP_FUNCTIONS, *RUNNER_FUNCTIONS)
FUNCTION_SERVICES = {f"fn-{f.replace('_', '-')}": f for f in FUNCTIONS}
RIE_PORT = 8080  # where the Lambda base image's Runtime Interface Emulator listens
RIE_PATH = "/2015-03-31/functions/function/invocations"
MONITORING_SERVICES = ("prometheus", "grafana")
DEPENDENCY_CONDITIONS = {"service_started", "service_healthy", "service_completed_successfully"}


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    loaded = yaml.safe_load(COMPOSE_PATH.read_text())
    assert isinstance(loaded, dict)
    return loaded


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    found = compose["services"]
    assert isinstance(found, dict)
    return found


def tokens(command: Any) -> list[str]:
    """A service's command as words; `sh -c "..."` is split too."""
    words = shlex.split(command) if isinstance(command, str) else [str(w) for w in command]
    if words[:2] == ["sh", "-c"]:
        return shlex.split(" ".join(words[2:]))
    return words


def string_constants(path: Path) -> set[str]:
    return {
        node.value
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    }


def module_path(module: str) -> Path:
    base = ROOT / Path(*module.split("."))
    return base / "__main__.py" if base.is_dir() else base.with_suffix(".py")


def top_level_names(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.FunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names |= {t.id for t in node.targets if isinstance(t, ast.Name)}
    return names


def environment(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment", {})
    if isinstance(env, list):
        return dict(item.split("=", 1) for item in env)
    return {k: str(v) for k, v in env.items()}


def test_parses_with_the_expected_services(services: dict[str, dict[str, Any]]) -> None:
    assert set(services) == {
        "localstack",
        "postgres",
        "redis",
        *APP_SERVICES,
        *FUNCTION_SERVICES,
        *MONITORING_SERVICES,
    }


def test_localstack_behaves_in_compose_as_in_host_mode(
    services: dict[str, dict[str, Any]],
) -> None:
    """`make local` runs LocalStack in host mode: compose (and CI, which matches compose) give
    it the same settings, so what is measured and tested there is what a container runs."""
    from infra.local.stack import LOCALSTACK_SETTINGS

    assert environment(services["localstack"]) == LOCALSTACK_SETTINGS


def test_every_image_is_pinned(services: dict[str, dict[str, Any]]) -> None:
    for name, service in services.items():
        if "image" not in service:
            continue
        image = service["image"]
        repository, _, tag = image.rpartition(":")
        assert repository and "/" not in tag, f"{name}: {image} has no tag"
        assert tag != "latest", f"{name}: {image} is not pinned"


def test_validates_against_the_compose_schema(compose: dict[str, Any]) -> None:
    pytest.importorskip("check_jsonschema", reason="check-jsonschema ships the Compose schema")
    validators = pytest.importorskip("jsonschema.validators")
    schema_file = (
        importlib.resources.files("check_jsonschema.builtin_schemas.vendor") / "compose-spec.json"
    )
    schema = json.loads(schema_file.read_text())
    errors = [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in validators.validator_for(schema)(schema).iter_errors(compose)
    ]
    assert errors == []


def build_spec(service: dict[str, Any]) -> dict[str, Any]:
    build = service["build"]
    return {"context": build} if isinstance(build, str) else dict(build)


def test_builds_point_to_an_existing_dockerfile(services: dict[str, dict[str, Any]]) -> None:
    built = {name: build_spec(s) for name, s in services.items() if "build" in s}
    assert set(built) == {*APP_SERVICES, *FUNCTION_SERVICES}
    for name, spec in built.items():
        context = ROOT / spec.get("context", ".")
        assert context.is_dir(), name
        dockerfile = spec.get("dockerfile", "Dockerfile")
        assert (context / dockerfile).is_file(), name
        # One image for the app services; the functions' own, one per function.
        expected = FUNCTION_DOCKERFILE if name in FUNCTION_SERVICES else "Dockerfile"
        assert (context / dockerfile) == ROOT / expected, name


def dockerfile_copy_steps(dockerfile: str) -> list[tuple[list[str], str]]:
    """(sources, destination) of each COPY from the build context."""
    copies = re.findall(r"^COPY\s+(?!--from)(.+)$", dockerfile, flags=re.MULTILINE)
    return [(line.split()[:-1], line.split()[-1]) for line in copies]


def dockerfile_copies(dockerfile: str) -> list[str]:
    return [source for sources, _ in dockerfile_copy_steps(dockerfile) for source in sources]


def test_dockerfile_copies_what_exists_and_matches_the_lambda_runtime() -> None:
    from infra.template import RUNTIME

    dockerfile = (ROOT / "Dockerfile").read_text()
    [base] = re.findall(r"^FROM\s+(\S+)", dockerfile, flags=re.MULTILINE)
    assert base.startswith(f"python:{RUNTIME.removeprefix('python')}-slim"), base
    assert "postgresql-client" in dockerfile, "pg_restore, to restore a backup"
    assert re.search(r"pip install .*-r requirements\.txt", dockerfile)
    copied = dockerfile_copies(dockerfile)
    assert {"requirements.txt", "alembic.ini", "shared/", "functions/", "infra/"} <= set(copied)
    for source in copied:
        assert (ROOT / source).exists(), f"COPY {source}: not in the build context"


# The functions ----------------------------------------------------------------------------


def test_the_function_dockerfile_starts_from_the_pinned_lambda_python_image() -> None:
    from infra.template import RUNTIME

    dockerfile = (ROOT / FUNCTION_DOCKERFILE).read_text()
    [base] = re.findall(r"^FROM\s+(\S+)", dockerfile, flags=re.MULTILINE)
    version = RUNTIME.removeprefix("python")
    # A dated tag of the 3.13 line, and the digest that tag had: rebuilds get the same image.
    assert re.fullmatch(
        rf"public\.ecr\.aws/lambda/python:{re.escape(version)}\.\d{{4}}(\.\d{{2}}){{3}}"
        r"@sha256:[0-9a-f]{64}",
        base,
    ), base
    # The base image's entrypoint takes the handler as the command: none is baked in.
    assert not re.search(r"^(CMD|ENTRYPOINT)\b", dockerfile, flags=re.MULTILINE)
    assert re.search(r"^ARG FUNCTION$", dockerfile, flags=re.MULTILINE)
    assert re.search(r"^ARG SYSTEM_PACKAGES", dockerfile, flags=re.MULTILINE)
    assert re.search(r"pip install .*-r \S*requirements\.txt", dockerfile)


@pytest.mark.parametrize("function", FUNCTIONS)
def test_the_function_dockerfile_copies_what_exists_and_only_its_function(function: str) -> None:
    dockerfile = (ROOT / FUNCTION_DOCKERFILE).read_text()
    copied = [c.replace("${FUNCTION}", function) for c in dockerfile_copies(dockerfile)]
    assert set(copied) == {
        "requirements.txt",
        "shared/",
        "functions/__init__.py",
        f"functions/{function}/",
    }
    for source in copied:
        assert (ROOT / source).exists(), f"COPY {source}: not in the build context"
    for line in re.findall(r"^COPY\s+(.+)$", dockerfile, flags=re.MULTILINE):
        assert line.split()[-1].startswith("${LAMBDA_TASK_ROOT}/"), line


@pytest.mark.parametrize("path", ["Dockerfile", FUNCTION_DOCKERFILE])
def test_images_hold_the_bytecode_of_the_code_they_copy(path: str) -> None:
    # Neither image's code can be written at run time (Lambda's read-only task root; the
    # app user, with PYTHONDONTWRITEBYTECODE): without bytecode built in, every start
    # compiles each module it imports from source.
    dockerfile = (ROOT / path).read_text()
    lines = [line for line in dockerfile.splitlines() if line and not line.startswith("#")]
    last_copy = max(i for i, line in enumerate(lines) if line.startswith("COPY "))
    [compile_line] = [
        line for line in lines[last_copy + 1 :] if line.startswith("RUN python -m compileall ")
    ]
    words = compile_line.split()[4:]
    targets, options = [], []
    while words:
        word = words.pop(0)
        if word == "--invalidation-mode":
            options.append(f"{word} {words.pop(0)}")
        elif word.startswith("-"):
            options.append(word)
        else:
            targets.append(word.rstrip("/"))
    # Recursive, nothing left out.
    assert set(options) <= {"-q", "--invalidation-mode unchecked-hash"}, options
    # Where each Python source copied lands: in a folder compiled.
    for sources, destination in dockerfile_copy_steps(dockerfile):
        if any(source.endswith((".py", "/")) for source in sources):
            landed = destination.rstrip("/")
            assert any(landed == t or landed.startswith(f"{t}/") for t in targets), sources


def test_every_function_has_one_service_running_its_handler(
    services: dict[str, dict[str, Any]],
) -> None:
    from infra.template import image_build_args

    built_from_function_dockerfile = {
        name
        for name, s in services.items()
        if "build" in s and build_spec(s).get("dockerfile") == FUNCTION_DOCKERFILE
    }
    assert built_from_function_dockerfile == set(FUNCTION_SERVICES)
    for name, function in FUNCTION_SERVICES.items():
        service = services[name]
        assert build_spec(service)["args"]["FUNCTION"] == function, name
        # The image AWS runs (infra/template.py's SAM build) is the one compose runs.
        assert build_spec(service)["args"] == image_build_args(function), name
        [handler] = tokens(service["command"])
        assert handler == f"functions.{function}.handler.handler", name
        module, attribute = handler.rsplit(".", 1)
        assert attribute in top_level_names(module_path(module)), f"{name}: {handler}"


def test_only_the_nightly_backup_gets_pg_dump_of_the_server_version(
    services: dict[str, dict[str, Any]],
) -> None:
    packages = {
        name: build_spec(services[name])["args"].get("SYSTEM_PACKAGES", "")
        for name in FUNCTION_SERVICES
    }
    server_major = services["postgres"]["image"].split(":")[1].split(".")[0]
    # pg_dump refuses a server newer than itself: Amazon Linux 2023's client of that version.
    assert packages.pop("fn-nightly-backup").split() == [f"postgresql{server_major}"]
    assert set(packages.values()) == {""}


def test_function_services_are_healthchecked_internal_and_time_out_like_lambda(
    services: dict[str, dict[str, Any]],
) -> None:
    for name in FUNCTION_SERVICES:
        service = services[name]
        assert "ports" not in service, f"{name}: reached over the compose network only"
        assert str(RIE_PORT) in " ".join(service["healthcheck"]["test"]), name
        env = environment(service)
        assert int(env["AWS_LAMBDA_FUNCTION_TIMEOUT"]) == FUNCTION_TIMEOUT_SECONDS, name
    # The invoker waits for the emulator's own timeout answer rather than giving up first.
    assert HTTP_TIMEOUT_SECONDS > FUNCTION_TIMEOUT_SECONDS


def test_gateway_and_runner_invoke_the_function_services(
    services: dict[str, dict[str, Any]],
) -> None:
    for caller, functions in (("gateway", HTTP_FUNCTIONS), ("runner", RUNNER_FUNCTIONS)):
        template = environment(services[caller])[URL_TEMPLATE_VARIABLE]
        depends = services[caller]["depends_on"]
        for function in functions:
            url = urlparse(function_url(function, template))
            assert url.hostname in FUNCTION_SERVICES, f"{caller}: {function} -> {url.hostname}"
            assert FUNCTION_SERVICES[url.hostname] == function
            assert (url.port, url.path) == (RIE_PORT, RIE_PATH), f"{caller}: {url.geturl()}"
            assert depends[url.hostname]["condition"] == "service_healthy", caller
    assert URL_TEMPLATE_VARIABLE in string_constants(ROOT / "infra" / "local" / "invoke.py")


def test_depends_on_names_existing_services(services: dict[str, dict[str, Any]]) -> None:
    for name, service in services.items():
        depends = service.get("depends_on", {})
        if isinstance(depends, list):
            depends = {d: {"condition": "service_started"} for d in depends}
        for dependency, spec in depends.items():
            assert dependency in services, f"{name} depends on unknown {dependency}"
            assert dependency != name
            assert spec["condition"] in DEPENDENCY_CONDITIONS
            if spec["condition"] == "service_healthy":
                assert "healthcheck" in services[dependency], f"{dependency} has no healthcheck"


def test_app_services_wait_for_what_they_use(services: dict[str, dict[str, Any]]) -> None:
    conditions = {
        name: {d: spec["condition"] for d, spec in s.get("depends_on", {}).items()}
        for name, s in services.items()
    }
    assert conditions["migrate"]["localstack"] == "service_healthy"
    assert conditions["migrate"]["postgres"] == "service_healthy"
    for name in ("gateway", "runner"):
        assert conditions[name]["migrate"] == "service_completed_successfully"


def test_host_ports_do_not_collide(services: dict[str, dict[str, Any]]) -> None:
    published: list[str] = []
    for service in services.values():
        for port in service.get("ports", []):
            if isinstance(port, dict):
                if "published" in port:
                    published.append(str(port["published"]))
                continue
            parts = str(port).split(":")
            if len(parts) >= 2:
                published.append(parts[-2])
    assert published, "the gateway at least is published"
    assert len(published) == len(set(published)), published
    assert {"8000", "4566", "9090", "3000"} <= set(published)


def test_ports_are_published_on_localhost_only(services: dict[str, dict[str, Any]]) -> None:
    for name, service in services.items():
        for port in service.get("ports", []):
            if isinstance(port, dict):
                assert port.get("host_ip") == "127.0.0.1", f"{name}: {port}"
            else:
                assert str(port).startswith("127.0.0.1:"), f"{name}: {port} is on every interface"


def test_gateway_and_runner_run_the_make_local_entry_points(
    services: dict[str, dict[str, Any]],
) -> None:
    gateway = tokens(services["gateway"]["command"])
    runner = tokens(services["runner"]["command"])
    assert "infra.local.gateway:app" in gateway
    assert gateway[gateway.index("--host") + 1] == "0.0.0.0"  # reachable from the host
    assert runner[-2:] == ["-m", "infra.local.runner"]
    make_local = string_constants(SUPERVISOR)
    assert {"infra.local.gateway:app", "infra.local.runner"} <= make_local
    # Approval-link paths carry a token: no access log of raw paths, as in `make local`.
    assert "--no-access-log" in gateway
    assert "--no-access-log" in make_local
    # Both come back after a crash, as under `make local`'s supervisor.
    assert services["gateway"]["restart"] == services["runner"]["restart"] == "unless-stopped"


def test_migrate_migrates_then_seeds(services: dict[str, dict[str, Any]]) -> None:
    command = " ".join(tokens(services["migrate"]["command"]))
    steps = ["alembic upgrade head", "-m infra.local.seed"]
    positions = [command.find(step) for step in steps]
    assert all(p >= 0 for p in positions), command
    assert positions == sorted(positions), "schema, then users"
    assert "&&" in " ".join(map(str, services["migrate"]["command"])), "stop at a failed step"


def test_localstack_runs_the_init_hook_before_it_counts_as_healthy(
    services: dict[str, dict[str, Any]],
) -> None:
    from infra.local.provision import HOOK_PATH, INIT_DIR

    localstack = services["localstack"]
    mounts = {v.split(":")[0]: v.split(":")[1] for v in localstack["volumes"]}
    assert ROOT / mounts.pop("./localstack/init") == ROOT / "/etc/localstack/init"
    assert not mounts
    assert (INIT_DIR / "topology.json").is_file()
    assert HOOK_PATH.parent.name == "ready.d" and HOOK_PATH.parent.parent == INIT_DIR
    # The app services wait for a healthy LocalStack, which must mean "resources exist".
    check = " ".join(localstack["healthcheck"]["test"])
    # The hook's own state: LocalStack marks the stage completed even when a script failed.
    assert "/_localstack/init/ready" in check
    assert f'"name": "{HOOK_PATH.name}", "state": "SUCCESSFUL"' in check


def test_every_module_a_command_names_exists(services: dict[str, dict[str, Any]]) -> None:
    for name in APP_SERVICES:
        words = tokens(services[name]["command"])
        for i, word in enumerate(words):
            if word == "-m":
                assert module_path(words[i + 1]).is_file(), f"{name}: {words[i + 1]}"
            if word == "uvicorn":
                module, attribute = words[i + 1].split(":")
                assert attribute in top_level_names(module_path(module)), f"{name}: {module}"
    assert (ROOT / "alembic.ini").is_file()


def test_localstack_is_the_pinned_version_with_the_make_local_services(
    services: dict[str, dict[str, Any]],
) -> None:
    localstack = services["localstack"]
    assert localstack["image"] == f"localstack/localstack:{LOCALSTACK_VERSION}"
    host_mode = (ROOT / "localstack" / "requirements.txt").read_text()
    assert f"localstack-core[runtime]=={LOCALSTACK_VERSION}" in host_mode
    env = environment(localstack)
    assert env["SERVICES"] == "sqs,sns,s3,ses,events,scheduler,cloudformation,iam,sts"
    assert env["SERVICES"] in string_constants(STACK), "the services `make local` starts"
    assert "_localstack/health" in " ".join(localstack["healthcheck"]["test"])


def test_mounts_exist(compose: dict[str, Any], services: dict[str, dict[str, Any]]) -> None:
    named = set(compose.get("volumes") or {})
    for name, service in services.items():
        for volume in service.get("volumes", []):
            source = volume["source"] if isinstance(volume, dict) else volume.split(":")[0]
            if source.startswith((".", "/")):
                assert (ROOT / source).exists(), f"{name}: bind mount {source} does not exist"
            else:
                assert source in named, f"{name}: volume {source} is not declared"


def test_app_environment_points_at_the_compose_services(
    services: dict[str, dict[str, Any]],
) -> None:
    postgres = environment(services["postgres"])
    for name in (*APP_SERVICES, *FUNCTION_SERVICES):
        env = environment(services[name])
        assert env["ENVIRONMENT"] == "local"  # demo users are seeded only locally
        database = urlparse(env["DATABASE_URL"])
        assert database.scheme == "postgresql+psycopg"
        assert (database.hostname, database.port) == ("postgres", 5432)
        assert database.username == postgres["POSTGRES_USER"]
        assert database.password == postgres["POSTGRES_PASSWORD"]
        assert database.path == f"/{postgres['POSTGRES_DB']}"
        assert env["AWS_ENDPOINT_URL"] == "http://localstack:4566"
        assert env["REDIS_URL"] == "redis://redis:6379/0"
        assert env["PUBLIC_URL"] == "http://localhost:8000"
        for key, value in env.items():
            urls = [function_url(f, value) for f in FUNCTIONS] if "{function}" in value else [value]
            for url in urls:
                host = urlparse(url).hostname if "://" in url else None
                if host and host != "localhost":
                    assert host in services, f"{name}: {key} names unknown host {host}"


# Prometheus and Grafana ------------------------------------------------------------------


def bind_mounts(service: dict[str, Any]) -> dict[str, Path]:
    """Container path -> host path of a service's bind mounts."""
    mounts: dict[str, Path] = {}
    for volume in service.get("volumes", []):
        if isinstance(volume, dict):
            source, target = str(volume["source"]), str(volume["target"])
        else:
            source, target = str(volume).split(":")[:2]
        if source.startswith((".", "/")):
            mounts[target] = ROOT / source
    return mounts


def host_path(service: dict[str, Any], container_path: str) -> Path:
    """Where a file the container reads comes from: the bind mount that contains it."""
    for target, source in bind_mounts(service).items():
        if container_path == target:
            return source
        if container_path.startswith(target.rstrip("/") + "/"):
            return source / container_path.removeprefix(target.rstrip("/") + "/")
    raise AssertionError(f"{container_path} is not mounted from the repository")


def listening_ports(service: dict[str, Any]) -> set[int]:
    """Ports a service serves on inside the compose network: published container ports,
    a `--port N` in its command, and `*_PORT` variables (RUNNER_METRICS_PORT)."""
    ports: set[int] = set()
    for port in service.get("ports", []):
        ports.add(int(port["target"] if isinstance(port, dict) else str(port).split(":")[-1]))
    words = tokens(service["command"]) if "command" in service else []
    ports |= {int(words[i + 1]) for i, word in enumerate(words[:-1]) if word == "--port"}
    ports |= {int(v) for k, v in environment(service).items() if k.endswith("_PORT")}
    return ports


@pytest.fixture(scope="module")
def prometheus_config(services: dict[str, dict[str, Any]]) -> dict[str, Any]:
    command = tokens(services["prometheus"]["command"])
    [config_flag] = [w for w in command if w.startswith("--config.file=")]
    config_file = host_path(services["prometheus"], config_flag.split("=", 1)[1])
    assert config_file == ROOT / "infra" / "prometheus" / "prometheus.yml"
    loaded = yaml.safe_load(config_file.read_text())
    assert isinstance(loaded, dict)
    return loaded


def test_prometheus_loads_the_alert_rules(
    services: dict[str, dict[str, Any]], prometheus_config: dict[str, Any]
) -> None:
    rule_files = [host_path(services["prometheus"], f) for f in prometheus_config["rule_files"]]
    assert rule_files == [ROOT / "alert.rules.yml"]


def test_prometheus_scrapes_the_gateway_the_runner_and_every_function(
    services: dict[str, dict[str, Any]], prometheus_config: dict[str, Any]
) -> None:
    targets: dict[str, list[str]] = {}
    for job in prometheus_config["scrape_configs"]:
        assert job.get("metrics_path", "/metrics") == "/metrics", job["job_name"]
        for static in job["static_configs"]:
            targets.setdefault(job["job_name"], []).extend(static["targets"])
    for job, addresses in targets.items():
        for address in addresses:
            host, port = address.rsplit(":", 1)
            assert host in services, f"{job}: {host} is not a compose service"
            assert int(port) in listening_ports(services[host]), f"{job}: {host} has no {port}"
    scraped = {address.rsplit(":", 1)[0] for addresses in targets.values() for address in addresses}
    assert {"gateway", "runner", *FUNCTION_SERVICES} <= scraped
    # The gateway serves /metrics (infra/local/gateway.py); the runner serves its own when
    # RUNNER_METRICS_PORT is set (infra/local/runner.py), and each function's process when
    # METRICS_PORT is (shared/observability.py), on that port.
    assert "/metrics" in string_constants(ROOT / "infra" / "local" / "gateway.py")
    assert "RUNNER_METRICS_PORT" in string_constants(RUNNER)
    assert "RUNNER_METRICS_PORT" in environment(services["runner"])
    assert "METRICS_PORT" in string_constants(ROOT / "shared" / "observability.py")
    for name in FUNCTION_SERVICES:
        port = environment(services[name])["METRICS_PORT"]
        assert f"{name}:{port}" in {a for addresses in targets.values() for a in addresses}


def test_prometheus_config_is_valid(
    services: dict[str, dict[str, Any]], prometheus_config: dict[str, Any], tmp_path: Path
) -> None:
    """`promtool check config` on a copy whose rule file paths point into the repository."""
    promtool = shutil.which("promtool")
    assert promtool, "promtool is missing: install Debian's prometheus package (.ci/run does)"
    config = dict(prometheus_config)
    config["rule_files"] = [
        str(host_path(services["prometheus"], f)) for f in prometheus_config["rule_files"]
    ]
    copy = tmp_path / "prometheus.yml"
    copy.write_text(yaml.safe_dump(config))
    result = subprocess.run(
        [promtool, "check", "config", str(copy)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_grafana_reads_prometheus_and_the_dashboards(
    services: dict[str, dict[str, Any]],
) -> None:
    grafana = services["grafana"]
    provisioning = host_path(grafana, "/etc/grafana/provisioning")
    assert provisioning == ROOT / "infra" / "grafana" / "provisioning"
    [datasource] = yaml.safe_load((provisioning / "datasources" / "prometheus.yml").read_text())[
        "datasources"
    ]
    assert datasource["type"] == "prometheus"
    url = urlparse(datasource["url"])
    assert url.hostname == "prometheus"
    assert url.port in listening_ports(services["prometheus"])
    [provider] = yaml.safe_load((provisioning / "dashboards" / "dashboards.yml").read_text())[
        "providers"
    ]
    dashboards = host_path(grafana, provider["options"]["path"])
    assert (dashboards / "credit-approval.json").is_file()
    home = environment(grafana)["GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH"]
    assert host_path(grafana, home) == dashboards / "credit-approval.json"


def test_monitoring_services_are_healthchecked_with_persistent_data(
    compose: dict[str, Any], services: dict[str, dict[str, Any]]
) -> None:
    named = set(compose.get("volumes") or {})
    for name, data_dir in (("prometheus", "/prometheus"), ("grafana", "/var/lib/grafana")):
        service = services[name]
        assert "healthcheck" in service, name
        volumes = [v for v in service["volumes"] if isinstance(v, str)]
        assert any(v.split(":")[0] in named and v.split(":")[1] == data_dir for v in volumes), name
    assert services["grafana"]["depends_on"]["prometheus"]["condition"] == "service_healthy"
    assert {"gateway", "runner"} <= set(services["prometheus"]["depends_on"])
    assert "healthcheck" in services["runner"], "the runner's metrics endpoint"


# Configuration ---------------------------------------------------------------------------


def documented_variables() -> set[str]:
    """Variable names in the first column of README.md's Configuration table."""
    section = README.read_text().split("\n## Configuration\n", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("|")]
    return {name for row in rows for name in re.findall(r"`([A-Z][A-Z0-9_]*)`", row.split("|")[1])}


def test_every_app_environment_variable_is_documented(
    compose: dict[str, Any], services: dict[str, dict[str, Any]]
) -> None:
    used = set(environment(compose["x-app"]))
    for name in (*APP_SERVICES, *FUNCTION_SERVICES):
        used |= set(environment(services[name]))
    assert {"DATABASE_URL", "RUNNER_METRICS_PORT", "METRICS_PORT", URL_TEMPLATE_VARIABLE} <= used
    missing = used - documented_variables()
    assert not missing, f"add to README.md's Configuration table: {sorted(missing)}"
