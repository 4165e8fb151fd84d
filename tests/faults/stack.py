"""A stack of its own for breaking things on purpose: a private PostgreSQL cluster, Redis and
LocalStack on free ports, and the gateway and runner under `make local`'s supervisor. The
fault tests stop, kill and restart these without touching the services the rest of the
suite (or a developer's `make local`) uses.

`tests.faults.prepare` readies the private database in a child process, which has the
private settings in its environment.
"""

import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any

import boto3
import httpx
from sqlalchemy import Engine, create_engine

from infra.local.stack import Stack, start_localstack
from tests.conftest import free_port, wait_until

ROOT = Path(__file__).resolve().parents[2]

STARTED = re.compile(r"started (gateway|runner) \(pid (\d+)")
# Recoveries that wait out a message's visibility timeout (a killed runner's batch, a step
# that failed while PostgreSQL was down) would take the production 180 s each: the fault
# stack's queues use this instead, so a scenario ends in test time. The README's failure
# modes give the figures with the production timeout.
FAULT_VISIBILITY_SECONDS = 15


def _postgres_bin() -> Path:
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))
    if versions:
        return versions[-1].parent
    found = shutil.which("pg_ctl")
    if found is None:
        raise RuntimeError("the fault tests need PostgreSQL's server binaries (pg_ctl, initdb)")
    return Path(found).parent


class Postgres:
    """A throwaway PostgreSQL cluster (trust auth, no fsync) that can be stopped and started."""

    def __init__(self) -> None:
        # Its own folder under the system's temporary directory: a test's tmp_path is private
        # to root, which the postgres user (below) could not enter.
        self.root = Path(tempfile.mkdtemp(prefix="fault-postgres-"))
        self.port, self.bin = free_port(), _postgres_bin()
        self.data = self.root / "pgdata"
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/credit"

    def _run(self, *command: str) -> None:
        # initdb and postgres refuse to run as root; the machine's postgres user runs them.
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        subprocess.run([*prefix, *command], check=True, capture_output=True)

    def init(self) -> None:
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres")
        self._run(
            str(self.bin / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres",
            "--no-sync", "-E", "UTF8",
        )  # fmt: skip
        self.start()
        admin = self.engine("postgres", isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.exec_driver_sql("CREATE DATABASE credit")
        admin.dispose()

    def start(self) -> None:
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(
            str(self.bin / "pg_ctl"), "-D", str(self.data), "-o", options,
            "-l", str(self.root / "postgres.log"), "-w", "start",
        )  # fmt: skip

    def stop(self) -> None:
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")

    def remove(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)

    def engine(self, database: str = "credit", **options: Any) -> Engine:
        return create_engine(self.url.replace("/credit", f"/{database}"), **options)


_NO_DISK = ("--appendonly", "no")


class Redis:
    def __init__(self, root: Path) -> None:
        self.root, self.port = root, free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        server = shutil.which("redis-server") or "redis-server"
        self.process = subprocess.Popen(
            [server, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", *_NO_DISK],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_until(self._answers, timeout=20, interval=0.1)

    def _answers(self) -> bool:
        import redis

        try:
            return bool(redis.Redis.from_url(self.url, socket_timeout=1).ping())
        except redis.RedisError:
            return False

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(10)
            self.process = None


class LocalStack:
    """Host-mode LocalStack on a free port; its init hook provisions this run's resources
    (RESOURCE_PREFIX) at every start, as it does for `make local`."""

    def __init__(self, root: Path, prefix: str) -> None:
        self.root, self.prefix, self.port = root, prefix, free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.mail_archive = root / "sent-before-crashes"
        self._stack: Stack | None = None
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self._stack = Stack()
        self._process = start_localstack(
            self._stack, self.endpoint, self.root, env={"RESOURCE_PREFIX": self.prefix}
        )

    def crash(self) -> None:
        """Kill it (SIGKILL: an outage, not a shutdown). Its queues and messages are gone, as
        a LocalStack without persistence loses them; the emails it sent are kept aside."""
        assert self._process is not None and self._stack is not None
        self._process.kill()
        self._process.wait(30)
        self.mail_archive.mkdir(exist_ok=True)
        for sent in self._mail_files():
            if _email_in(sent) is None:
                # Cut by the kill as LocalStack wrote it, before SES answered: never accepted,
                # so the step sends it again once LocalStack is back.
                sent.unlink()
                continue
            shutil.copy2(sent, self.mail_archive / sent.name)
        self._stack.close()
        self._stack = self._process = None

    def stop(self) -> None:
        if self._stack is not None:
            self._stack.close()
            self._stack = self._process = None

    def _mail_files(self) -> list[Path]:
        return list((self.root / "tmp" / "localstack" / "state" / "ses").glob("*.json"))

    def client(self, service: str) -> Any:
        return boto3.client(
            service,
            endpoint_url=self.endpoint,
            region_name="us-east-1",
            aws_access_key_id="test",
            aws_secret_access_key="test",
        )

    def sent_emails(self) -> list[dict[str, Any]]:
        """Every email its SES accepted, crashes included: LocalStack writes each one to its
        data folder as well as to the mailbox it serves, which a restart empties."""
        files = {p.name: p for p in self.mail_archive.glob("*.json")}
        files |= {p.name: p for p in self._mail_files()}
        # LocalStack may be writing one as the mailbox is read: wait until it is whole.
        return [wait_until(partial(_email_in, p), timeout=10, interval=0.1) for p in files.values()]


def _email_in(path: Path) -> dict[str, Any] | None:
    """The email LocalStack wrote to `path`; None while the file is not whole."""
    try:
        email: dict[str, Any] = json.loads(path.read_text())
    except json.JSONDecodeError:
        return None
    return email


class FaultStack:
    """The private services and the supervised gateway and runner, with their settings."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.prefix = f"fault-{os.urandom(3).hex()}"
        self.postgres = Postgres()
        self.redis = Redis(root)
        self.localstack = LocalStack(root / "localstack", self.prefix)
        self.gateway_port = free_port()
        self.url = f"http://127.0.0.1:{self.gateway_port}"
        self.logs = root / "logs"
        self.supervisor: subprocess.Popen[bytes] | None = None
        # Emails sent in a send-then-commit window by the scenarios so far (see invariants).
        self.emails_beyond_record = 0

    @property
    def env(self) -> dict[str, str]:
        inherited = {k: v for k, v in os.environ.items() if k != "PROMETHEUS_MULTIPROC_DIR"}
        return {
            **inherited,
            "DATABASE_URL": self.postgres.url,
            "REDIS_URL": self.redis.url,
            "AWS_ENDPOINT_URL": self.localstack.endpoint,
            "RESOURCE_PREFIX": self.prefix,
            "FORWARDED_ALLOW_IPS": "",
            # The traffic submits from a small pool of applicants, far beyond a person's
            # hourly limit; the limit's own tests are elsewhere.
            "SUBMISSIONS_PER_HOUR": "100000",
        }

    def start(self) -> None:
        self.logs.mkdir(parents=True, exist_ok=True)
        self.postgres.init()
        self.redis.start()
        self.localstack.start()
        subprocess.run(
            [sys.executable, "-m", "tests.faults.prepare"],
            cwd=ROOT,
            env=self.env,
            check=True,
        )
        self.shorten_visibility()
        with (self.logs / "supervisor.log").open("wb") as out:
            self.supervisor = subprocess.Popen(
                [sys.executable, "-m", "infra.local.supervisor", *self._supervisor_args()],
                cwd=ROOT,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        wait_until(self.gateway_up, timeout=90)

    def _supervisor_args(self) -> list[str]:
        return ["--port", str(self.gateway_port), "--logs", str(self.logs)]

    def stop(self) -> None:
        if self.supervisor is not None:
            self.supervisor.send_signal(signal.SIGINT)
            try:
                self.supervisor.wait(30)
            except subprocess.TimeoutExpired:
                self.supervisor.kill()
        self.localstack.stop()
        self.redis.stop()
        with contextlib.suppress(subprocess.CalledProcessError):  # already stopped
            self.postgres.stop()
        self.postgres.remove()

    def gateway_up(self) -> bool:
        try:
            return httpx.get(f"{self.url}/api/v1/health", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    def queue_url(self, name: str) -> str:
        return str(
            self.localstack.client("sqs").get_queue_url(QueueName=f"{self.prefix}-{name}")[
                "QueueUrl"
            ]
        )

    def shorten_visibility(self) -> None:
        from shared.messaging.topology import QUEUES

        sqs = self.localstack.client("sqs")
        for queue in QUEUES:
            sqs.set_queue_attributes(
                QueueUrl=self.queue_url(queue.name),
                Attributes={"VisibilityTimeout": str(FAULT_VISIBILITY_SECONDS)},
            )

    def pids(self, name: str) -> list[int]:
        """Every pid the supervisor started `name` (gateway, runner) with, oldest first."""
        log = (self.logs / "supervisor.log").read_text()
        return [int(pid) for child, pid in STARTED.findall(log) if child == name]

    @contextmanager
    def database(self) -> Iterator[Engine]:
        engine = self.postgres.engine()
        try:
            yield engine
        finally:
            engine.dispose()
