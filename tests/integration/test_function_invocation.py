"""Functions invoked over HTTP, as docker-compose.yml runs them: each in its own process,
behind the Lambda base image's Runtime Interface Emulator, with the runner and the gateway
posting events to it (FUNCTION_URL_TEMPLATE, infra/local/invoke.py).

Each function runs under `awslambdaric` — the runtime interface client the AWS Lambda Python
base images run — importing `functions.<x>.handler.handler` as the container's command names
it. The emulator itself is a Go binary from GitHub releases that cannot be fetched here, so
tests/rie.py stands in for it. Postgres, Redis and LocalStack are this run's real ones.
"""

import logging
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families

from infra.local.invoke import URL_TEMPLATE_VARIABLE, FunctionError, invoke
from infra.local.runner import poll_once
from shared import aws
from shared.config import get_settings
from shared.credit.models import CreditRequest
from shared.db import unit_of_work
from shared.messaging.topology import QueueSpec
from shared.workflow.events import EventType
from tests.conftest import free_port
from tests.rie import RuntimeInterfaceEmulator
from tests.support import Api, delivered_message

Emulate = Callable[..., RuntimeInterfaceEmulator]


@pytest.fixture
def emulate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Emulate]:
    """Start a function behind the emulator and point this process's invoker at it. The
    template has no `{function}`: every function this test invokes is that one."""
    started: list[RuntimeInterfaceEmulator] = []

    def start(handler: str, **env: str) -> RuntimeInterfaceEmulator:
        emulator = RuntimeInterfaceEmulator(handler, tmp_path / "runtime.log", env)
        started.append(emulator.__enter__())
        monkeypatch.setenv(URL_TEMPLATE_VARIABLE, emulator.invoke_url)
        return emulator

    yield start
    for emulator in started:
        emulator.__exit__(None, None, None)


def own_queue(function: str) -> QueueSpec:
    """A queue of this test's own, so no other test's message is in the batch. Visibility
    timeout 0: a message the runner did not delete can be received again at once."""
    spec = QueueSpec(f"invoke-{uuid.uuid4().hex[:8]}", function, (EventType.REQUEST_SUBMITTED,))
    aws.client("sqs").create_queue(
        QueueName=f"{get_settings().resource_prefix}-{spec.name}",
        Attributes={"VisibilityTimeout": "0"},
    )
    return spec


def receive_bodies(queue: QueueSpec) -> list[str]:
    messages = aws.client("sqs").receive_message(
        QueueUrl=aws.queue_url(queue.name), MaxNumberOfMessages=10, WaitTimeSeconds=1
    )
    return [m["Body"] for m in messages.get("Messages", [])]


def status_of(request_id: str) -> str:
    with unit_of_work() as session:
        request = session.get(CreditRequest, uuid.UUID(request_id))
        assert request is not None
        return str(request.status)


def invocations(function: str) -> float:
    return REGISTRY.get_sample_value("function_invocations_total", {"function": function}) or 0


def scraped_invocations(metrics_port: int, function: str) -> float | None:
    with urllib.request.urlopen(f"http://127.0.0.1:{metrics_port}/metrics", timeout=5) as answer:
        text = answer.read().decode()
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == "function_invocations_total" and sample.labels == {
                "function": function
            }:
                return float(sample.value)
    return None


def test_the_runner_moves_a_queue_message_through_a_function_over_http(
    api: Api, emulate: Emulate
) -> None:
    auth = api.login(api.register())
    request_id = api.submit(auth)["id"]
    queue = own_queue("score")
    aws.client("sqs").send_message(
        QueueUrl=aws.queue_url(queue.name),
        MessageBody=delivered_message("request.submitted", request_id),
    )
    metrics_port = free_port()
    emulate("functions.score.handler.handler", METRICS_PORT=str(metrics_port))
    before = invocations("score")

    assert poll_once(queue, wait_seconds=2) == 1

    assert status_of(request_id) == "pending_approval"  # scored, in the test's database
    assert receive_bodies(queue) == []  # answered without failures: deleted
    # Counted once, by the function's own process, and served on its METRICS_PORT; the
    # runner, which only posted the event, counts nothing.
    assert scraped_invocations(metrics_port, "score") == 1
    assert invocations("score") == before


def test_a_function_that_raises_leaves_the_whole_batch_on_the_queue(
    emulate: Emulate, caplog: pytest.LogCaptureFixture
) -> None:
    queue = own_queue("score")
    aws.client("sqs").send_message(QueueUrl=aws.queue_url(queue.name), MessageBody="first")
    aws.client("sqs").send_message(QueueUrl=aws.queue_url(queue.name), MessageBody="second")
    emulate("tests.rie.failing_handler")
    caplog.set_level(logging.ERROR, logger="infra.local.runner")

    received = 0
    while received < 2:  # SQS may hand the two messages out in separate batches
        count = poll_once(queue, wait_seconds=2)
        assert count, "the messages were deleted"
        received += count

    assert {*receive_bodies(queue), *receive_bodies(queue)} == {"first", "second"}
    [failure, *_] = [r for r in caplog.records if r.getMessage() == "function failed"]
    assert failure.__dict__["error_type"] == "RuntimeError"  # read from the error document


def test_the_gateway_answers_through_a_function_over_http(client: Any, emulate: Emulate) -> None:
    emulate("functions.api.handler.handler")
    api = Api(client)
    person = api.register()
    auth = api.login(person)

    response = client.get("/api/v1/users/me", headers=auth)

    assert response.status_code == 200, response.text
    assert response.json()["username"] == person.username
    assert response.headers["content-type"].startswith("application/json")
    assert response.headers["x-correlation-id"]


def test_the_gateway_answers_502_when_the_function_raises(client: Any, emulate: Emulate) -> None:
    emulate("tests.rie.failing_handler")

    response = client.get("/api/v1/health")

    assert response.status_code == 502
    assert response.json() == {
        "error": {
            "code": "bad_gateway",
            "message": "The function serving this request failed.",
            "details": None,
        }
    }
    assert "request data" not in response.text  # the function's error stays in its log


def test_the_gateway_answers_502_when_the_function_is_unreachable(
    client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    closed = f"http://127.0.0.1:{free_port()}/2015-03-31/functions/function/invocations"
    monkeypatch.setenv(URL_TEMPLATE_VARIABLE, closed)

    response = client.get("/api/v1/health")

    assert response.status_code == 502
    assert response.json()["error"]["code"] == "bad_gateway"


def test_overlapping_invocations_of_one_function_are_queued_not_refused(
    emulate: Emulate,
) -> None:
    """The emulator refuses an invocation while another runs (400): the invoker must send one
    at a time per function, as the gateway's worker threads would otherwise overlap."""
    from concurrent.futures import ThreadPoolExecutor

    emulate("tests.rie.slow_echo_handler")

    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda n: invoke("echo", {"n": n}, None), range(4)))

    assert results == [{"echo": {"n": n}} for n in range(4)]


def test_a_function_that_cannot_load_is_a_function_error(emulate: Emulate) -> None:
    emulate("functions.no_such_function.handler.handler")

    with pytest.raises(FunctionError) as failure:
        invoke("no_such_function", {}, None)

    assert failure.value.error_type == "Runtime.ImportModuleError"
