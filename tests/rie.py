"""A stand-in for the Lambda Runtime Interface Emulator (RIE), to run a function the way the
AWS Lambda Python base image runs it in docker-compose.yml.

In the base image the RIE (a Go binary) serves `POST /2015-03-31/functions/function/invocations`
to callers and the Lambda Runtime API (`/2018-06-01/runtime/...`) to the runtime interface
client, `awslambdaric`, which imports the handler and loops: fetch the next event, call the
handler, post its result or its error document. The RIE ships only as a GitHub release, which
these machines cannot fetch (only PyPI, Debian and npm are reachable), so this module plays its
part — with the real `awslambdaric` from PyPI running the real handler in its own process. It
answers as the RIE does (aws-lambda-runtime-interface-emulator, cmd/aws-lambda-rie/handlers.go):
200 with the function's result, 200 with the runtime's error document when the handler
raised, 200 with "Task timed out after N.00 seconds" past the timeout, 400 for an invocation
while another runs, 502 with the init error document when the handler cannot be loaded.
"""

import os
import queue
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
INVOKE_PATH = "/2015-03-31/functions/function/invocations"
RUNTIME_PREFIX = "/2018-06-01/runtime"


def failing_handler(event: dict[str, Any], context: Any) -> Any:
    """A function that always raises, for how callers see a function failure."""
    raise RuntimeError("the handler failed on purpose (request data would be here)")


def slow_echo_handler(event: dict[str, Any], context: Any) -> Any:
    """A function that takes a while, so overlapping invocations would meet in the emulator."""
    time.sleep(0.3)
    return {"echo": event}


@dataclass
class _Invocation:
    event: bytes
    request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    done: threading.Event = field(default_factory=threading.Event)
    answer: bytes = b""


class RuntimeInterfaceEmulator:
    """`with RuntimeInterfaceEmulator("functions.score.handler.handler", logs) as rie:` runs
    `python -m awslambdaric <handler>` against this emulator; `rie.invoke_url` is where to post
    events. `env` is added to the runtime's environment (the test's settings are inherited)."""

    def __init__(
        self, handler: str, logs: Path, env: dict[str, str] | None = None, timeout: int = 30
    ) -> None:
        self.handler = handler
        self.logs = logs
        self.env = env or {}
        self.timeout = timeout
        self._next: queue.Queue[_Invocation | None] = queue.Queue()
        self._running: dict[str, _Invocation] = {}
        self._busy = threading.Lock()
        self._init_error: bytes | None = None
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._request_handler())
        self._server.daemon_threads = True
        self._runtime: subprocess.Popen[bytes] | None = None

    @property
    def invoke_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_port}{INVOKE_PATH}"

    def __enter__(self) -> "RuntimeInterfaceEmulator":
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        env = {**os.environ, **self.env}
        env["AWS_LAMBDA_RUNTIME_API"] = f"127.0.0.1:{self._server.server_port}"
        # As in a function's container: its metrics are its own, not a shared directory's.
        env.pop("PROMETHEUS_MULTIPROC_DIR", None)
        self.logs.parent.mkdir(parents=True, exist_ok=True)
        with self.logs.open("wb") as log:
            self._runtime = subprocess.Popen(
                [sys.executable, "-m", "awslambdaric", self.handler],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._runtime is not None:
            self._runtime.terminate()
            self._runtime.wait(10)
        self._next.put(None)  # release a /next still waiting
        self._server.shutdown()
        self._server.server_close()

    def _invoke(self, event: bytes) -> tuple[int, bytes]:
        if not self._busy.acquire(blocking=False):
            return 400, b""
        try:
            if self._init_error is not None:
                return 502, self._init_error
            invocation = _Invocation(event)
            self._running[invocation.request_id] = invocation
            self._next.put(invocation)
            if not invocation.done.wait(self.timeout):
                return 200, f"Task timed out after {self.timeout}.00 seconds".encode()
            return 200, invocation.answer
        finally:
            self._busy.release()

    def _answer(self, request_id: str, body: bytes) -> bool:
        invocation = self._running.pop(request_id, None)
        if invocation is None:
            return False
        invocation.answer = body
        invocation.done.set()
        return True

    def _init_failed(self, body: bytes) -> None:
        self._init_error = body
        for request_id in list(self._running):
            self._answer(request_id, body)

    def _request_handler(self) -> type[BaseHTTPRequestHandler]:
        emulator = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                """Quiet: the runtime's own log is in `logs`."""

            def _body(self) -> bytes:
                return self.rfile.read(int(self.headers.get("Content-Length") or 0))

            def _send(self, status: int, body: bytes = b"", **headers: str) -> None:
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name.replace("_", "-"), value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:
                if self.path != f"{RUNTIME_PREFIX}/invocation/next":
                    self._send(404)
                    return
                invocation = emulator._next.get()
                if invocation is None:  # shutting down: the runtime is gone
                    self.close_connection = True
                    return
                deadline_ms = int((time.time() + emulator.timeout) * 1000)
                self._send(
                    200,
                    invocation.event,
                    Lambda_Runtime_Aws_Request_Id=invocation.request_id,
                    Lambda_Runtime_Deadline_Ms=str(deadline_ms),
                    Lambda_Runtime_Invoked_Function_Arn=(
                        "arn:aws:lambda:us-east-1:012345678912:function:test_function"
                    ),
                    Content_Type="application/json",
                )

            def do_POST(self) -> None:
                body = self._body()
                if self.path == INVOKE_PATH:
                    status, answer = emulator._invoke(body)
                    self._send(status, answer)
                    return
                parts = self.path.removeprefix(RUNTIME_PREFIX).strip("/").split("/")
                if parts == ["init", "error"]:
                    emulator._init_failed(body)
                    self._send(202)
                elif (
                    len(parts) == 3
                    and parts[0] == "invocation"
                    and parts[2] in ("response", "error")
                    and emulator._answer(parts[1], body)
                ):
                    # An error answers the caller as the RIE does: 200 and the error document.
                    self._send(202)
                else:
                    self._send(404)

        return Handler
