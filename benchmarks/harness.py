"""The stack a benchmark run measures, of its own: a fresh database and LocalStack resource
prefix (so a run sees no one else's data or messages, and theirs not its own), the demo
staff, then the gateway, the queue runner and the bare FastAPI baseline, each in its own
process as `make local` runs them. Call `configure()` before any application module reads
its settings."""

import os
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[1]
LOGS = ROOT / ".local" / "bench"
RUN_ID = uuid.uuid4().hex[:8]
STAFF_PASSWORD = "bench-staff-password-2026"


SERVER_URL = os.environ.get("DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/credit")


def configure() -> None:
    """This run's settings, for this process and the ones it starts."""
    server = make_url(SERVER_URL)
    os.environ.update(
        {
            "ENVIRONMENT": os.environ.get("ENVIRONMENT", "local"),
            "DATABASE_URL": server.set(database=f"credit_bench_{RUN_ID}").render_as_string(
                hide_password=False
            ),
            "RESOURCE_PREFIX": f"bench-{RUN_ID}",
            # The mailbox is LocalStack's, shared: the sender tells this run's emails apart.
            "MAIL_FROM": f"bench-{RUN_ID}@example.com",
            # The load is a few applicants submitting often: the per-applicant hourly cap
            # (a product rule, not a capacity) must not answer 429.
            "SUBMISSIONS_PER_HOUR": "100000",
            # Likewise the applicants all register from 127.0.0.1 (a guard against sign-up
            # floods from one address, 10 an hour by default).
            "REGISTRATIONS_PER_ADDRESS": "100000",
            "FORWARDED_ALLOW_IPS": "",
        }
    )
    os.environ.setdefault("AWS_ENDPOINT_URL", "http://127.0.0.1:4566")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as answer:
            return bool(answer.status == 200)
    except OSError:
        return False


@dataclass(frozen=True)
class Stack:
    gateway: str  # base URLs
    bare: str
    pids: dict[str, int]  # gateway, runner


def _prepare() -> None:
    from alembic import command
    from alembic.config import Config

    from infra.local.provision import provision
    from infra.local.seed import seed_demo_users
    from infra.local.stack import ensure_database

    ensure_database(os.environ["DATABASE_URL"])
    config = Config(str(ROOT / "alembic.ini"))
    config.attributes["configure_logger"] = False
    command.upgrade(config, "head")
    provision()
    seed_demo_users(STAFF_PASSWORD)


def _drop() -> None:
    from sqlalchemy import create_engine, text

    from shared.db import get_engine

    get_engine().dispose()
    url = make_url(os.environ["DATABASE_URL"])
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
    admin.dispose()


def _uvicorn(app: str, port: int) -> list[str]:
    return [sys.executable, "-m", "uvicorn", app, "--host", "127.0.0.1", "--port", str(port)]


@contextmanager
def running() -> Iterator[Stack]:
    _prepare()
    LOGS.mkdir(parents=True, exist_ok=True)
    gateway_port, bare_port = free_port(), free_port()
    commands = {
        "gateway": [*_uvicorn("infra.local.gateway:app", gateway_port), "--no-access-log"],
        "bare": [*_uvicorn("benchmarks.bare_app:app", bare_port), "--no-access-log"],
        "runner": [sys.executable, "-m", "infra.local.runner"],
    }
    processes: dict[str, subprocess.Popen[bytes]] = {}
    try:
        for name, command in commands.items():
            with (LOGS / f"{name}.log").open("wb") as log:
                processes[name] = subprocess.Popen(
                    command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT
                )
        gateway, bare = f"http://127.0.0.1:{gateway_port}", f"http://127.0.0.1:{bare_port}"
        deadline = time.monotonic() + 90
        while not (_ok(f"{gateway}/api/v1/health") and _ok(f"{bare}/items")):
            if time.monotonic() > deadline or any(p.poll() is not None for p in processes.values()):
                raise RuntimeError(f"the bench stack did not start; see {LOGS}")
            time.sleep(0.5)
        yield Stack(gateway, bare, {n: processes[n].pid for n in ("gateway", "runner")})
    finally:
        for process in processes.values():
            process.terminate()
        for process in processes.values():
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()
        _drop()


def machine_cpu_seconds() -> float:
    """CPU time every process of the machine has used so far (all cores, not idle or
    waiting on I/O): what LocalStack and PostgreSQL use shows here, beside the stack's own."""
    try:
        fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    except OSError:
        return 0.0
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(f) for f in fields[:8])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def pid_of(module: str) -> int | None:
    """The process running `python -m <module>` (the shared LocalStack), if one does."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"-m" in argv and module.encode() in argv:
            return int(entry.name)
    return None


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) a process has used so far; 0 where /proc is not there."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


IN_FLIGHT = "in flight"


def queue_depths(names: list[str]) -> dict[str, int]:
    """Each named queue's waiting messages, and under IN_FLIGHT those received and not yet
    deleted, summed over them."""
    from shared import aws

    sqs = aws.client("sqs")
    depths = {IN_FLIGHT: 0}
    for name in names:
        attributes = sqs.get_queue_attributes(
            QueueUrl=aws.queue_url(name),
            AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        )["Attributes"]
        depths[name] = int(attributes["ApproximateNumberOfMessages"])
        depths[IN_FLIGHT] += int(attributes["ApproximateNumberOfMessagesNotVisible"])
    return depths
