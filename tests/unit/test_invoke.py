"""How infra/local/invoke.py reads the answers of a function's Runtime Interface Emulator
(the documented ones: aws-lambda-runtime-interface-emulator issues #20, #21, #86 and
cmd/aws-lambda-rie/handlers.go), against a canned HTTP server, and runs handlers in-process.
The real round trip through awslambdaric is tests/integration/test_function_invocation.py."""

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from infra.local.invoke import (
    TIMED_OUT,
    URL_TEMPLATE_VARIABLE,
    FunctionError,
    function_url,
    invoke,
)
from shared.http.routes import HTTP_FUNCTIONS
from shared.messaging.topology import QUEUES, SCHEDULES

COMPOSE_TEMPLATE = "http://fn-{function}:8080/2015-03-31/functions/function/invocations"


class Canned:
    """What the emulator answers next, and the events it was sent."""

    def __init__(self) -> None:
        self.status = 200
        self.body = b"null"
        self.headers: dict[str, str] = {}
        self.received: list[Any] = []


@pytest.fixture
def emulator(monkeypatch: pytest.MonkeyPatch) -> Iterator[Canned]:
    canned = Canned()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            """Quiet."""

        def do_POST(self) -> None:
            length = int(self.headers["Content-Length"])
            canned.received.append((self.path, json.loads(self.rfile.read(length))))
            self.send_response(canned.status)
            for name, value in canned.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(canned.body)))
            self.end_headers()
            self.wfile.write(canned.body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_port
    monkeypatch.setenv(URL_TEMPLATE_VARIABLE, f"http://127.0.0.1:{port}/{{function}}/invocations")
    yield canned
    server.shutdown()
    server.server_close()


def test_every_function_maps_to_its_compose_service() -> None:
    functions = {*HTTP_FUNCTIONS, *(q.function for q in QUEUES), *(s.function for s in SCHEDULES)}
    urls = {function_url(f, COMPOSE_TEMPLATE) for f in functions}
    assert len(urls) == len(functions)
    assert function_url("route_to_approver", COMPOSE_TEMPLATE) == (
        "http://fn-route-to-approver:8080/2015-03-31/functions/function/invocations"
    )


def test_the_event_is_posted_and_the_result_returned(emulator: Canned) -> None:
    emulator.body = json.dumps({"batchItemFailures": [{"itemIdentifier": "m1"}]}).encode()

    result = invoke("route_to_approver", {"Records": [{"messageId": "m1"}]}, None)

    assert result == {"batchItemFailures": [{"itemIdentifier": "m1"}]}
    assert emulator.received == [
        ("/route-to-approver/invocations", {"Records": [{"messageId": "m1"}]})
    ]


def test_a_handler_returning_nothing_is_a_success(emulator: Canned) -> None:
    emulator.body = b"null"
    assert invoke("escalate", {}, None) is None


def test_an_unhandled_exception_is_a_function_error(emulator: Canned) -> None:
    # The RIE answers 200 with the runtime's error document and no X-Amz-Function-Error.
    emulator.body = json.dumps(
        {"errorMessage": "boom", "errorType": "KeyError", "requestId": "r", "stackTrace": []}
    ).encode()

    with pytest.raises(FunctionError) as failure:
        invoke("score", {}, None)

    assert (failure.value.function, failure.value.error_type) == ("score", "KeyError")
    assert failure.value.message == "boom"
    assert "boom" not in str(failure.value), "what callers log holds no exception text"


def test_the_lambda_function_error_header_is_honoured(emulator: Canned) -> None:
    emulator.headers = {"X-Amz-Function-Error": "Unhandled"}
    emulator.body = b'"not an error document"'

    with pytest.raises(FunctionError) as failure:
        invoke("score", {}, None)

    assert failure.value.error_type == "Unhandled"


@pytest.mark.parametrize(
    ("status", "body", "error_type"),
    [
        (200, b"Task timed out after 30.00 seconds", TIMED_OUT),  # RIE issue #21
        (200, b"", "Runtime.InvalidResponse"),  # a runtime that exited: RIE issue #86
        (400, b"", "Invoke.Http400"),  # an invocation while another runs
        (
            502,
            b'{"errorType": "Runtime.ImportModuleError", "errorMessage": "No module"}',
            "Runtime.ImportModuleError",
        ),  # the handler could not be loaded
    ],
)
def test_emulator_failures_are_function_errors(
    emulator: Canned, status: int, body: bytes, error_type: str
) -> None:
    emulator.status, emulator.body = status, body

    with pytest.raises(FunctionError) as failure:
        invoke("notify", {}, None)

    assert failure.value.error_type == error_type


def test_an_unreachable_function_is_a_function_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(URL_TEMPLATE_VARIABLE, "http://127.0.0.1:9/{function}")

    with pytest.raises(FunctionError) as failure:
        invoke("score", {}, None)

    assert failure.value.error_type == "Invoker.Unreachable"


def test_in_process_a_raising_handler_is_a_function_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(URL_TEMPLATE_VARIABLE, raising=False)

    # An SQS handler given an event without Records (not an SQS event) raises.
    with pytest.raises(FunctionError) as failure:
        invoke("score", {}, None)

    assert failure.value.function == "score"
    assert failure.value.__cause__ is not None  # the traceback the runner logs locally


def test_a_function_whose_metrics_port_is_taken_still_answers(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    import socket

    from shared import observability

    with socket.socket() as taken:
        taken.bind(("0.0.0.0", 0))  # where the metrics server binds
        taken.listen()
        monkeypatch.setenv("METRICS_PORT", str(taken.getsockname()[1]))
        monkeypatch.setattr(observability, "_metrics_served", threading.Event())
        entry = observability.lambda_entry("metrics_port_test", lambda event, context: "done")

        assert entry({}, None) == "done"
        assert entry({}, None) == "done"

    # Tried once per process, not at every invocation.
    assert [r.getMessage() for r in caplog.records] == ["metrics endpoint not started"]
