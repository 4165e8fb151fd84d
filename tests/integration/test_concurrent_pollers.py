"""One queue worked by several pollers at once, as Lambda scales an SQS event source out to
its maximum concurrency (the runner's pollers, infra.local.runner): every message is handled
once, even a redelivered duplicate, and each is deleted once handled.

The handler cannot finish until every message is being handled at the same moment (a
barrier): pollers that took turns would never get past it. No timing is asserted."""

import threading
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy.orm import Session

from infra.local import invoke, runner
from shared import aws
from shared.clock import utcnow
from shared.config import get_settings
from shared.messaging.consumer import sqs_handler
from shared.messaging.topology import QueueSpec
from shared.workflow.events import Envelope, EventType
from tests.conftest import wait_until

MESSAGES = 3
PROBE = "concurrency_probe"  # the function name the probe queue's pollers invoke


@pytest.fixture
def probe_queue() -> Iterator[QueueSpec]:
    # One message per receive, so the messages can only be handled apart, by several pollers;
    # one poller more than messages, for the duplicate that waits on its original's claim.
    spec = QueueSpec(
        f"concurrent-{uuid.uuid4().hex[:8]}",
        PROBE,
        (EventType.REQUEST_SUBMITTED,),
        maximum_concurrency=MESSAGES + 1,
        batch_size=1,
    )
    url = aws.client("sqs").create_queue(
        QueueName=f"{get_settings().resource_prefix}-{spec.name}",
        Attributes={"VisibilityTimeout": "120"},  # no redelivery of a message being handled
    )["QueueUrl"]
    yield spec
    aws.client("sqs").delete_queue(QueueUrl=url)


def envelope() -> Envelope:
    return Envelope(
        event_id=uuid.uuid4(),
        event_type=EventType.REQUEST_SUBMITTED,
        occurred_at=utcnow(),
        correlation_id=uuid.uuid4().hex,
        payload={"request_id": str(uuid.uuid4())},
    )


def messages_left(queue: QueueSpec) -> int:
    attributes = aws.client("sqs").get_queue_attributes(
        QueueUrl=aws.queue_url(queue.name),
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    )["Attributes"]
    return sum(int(value) for value in attributes.values())


def test_several_pollers_handle_one_queue_at_once_and_each_message_once(
    probe_queue: QueueSpec, monkeypatch: pytest.MonkeyPatch
) -> None:
    together = threading.Barrier(MESSAGES, timeout=60)
    handled: list[uuid.UUID] = []
    threads_used: set[str] = set()
    lock = threading.Lock()

    def handle(session: Session, event: Envelope) -> None:
        together.wait()  # broken (and the message failed) unless all are handled at once
        with lock:
            handled.append(event.event_id)
            threads_used.add(threading.current_thread().name)

    probe = sqs_handler(PROBE, handle)
    in_process = invoke.function_handler

    def function_handler(function: str) -> Any:
        return probe if function == PROBE else in_process(function)

    monkeypatch.setattr(invoke, "function_handler", function_handler)
    monkeypatch.delenv(invoke.URL_TEMPLATE_VARIABLE, raising=False)

    sent = [envelope() for _ in range(MESSAGES)]
    url = aws.queue_url(probe_queue.name)
    sqs = aws.client("sqs")
    for event in [*sent, sent[0]]:  # the first one twice: a redelivery
        sqs.send_message(QueueUrl=url, MessageBody=event.model_dump_json())

    stop = threading.Event()
    pollers = runner.start_pollers(stop, (probe_queue,))
    try:
        wait_until(lambda: len(handled) >= MESSAGES and messages_left(probe_queue) == 0, 90)
    finally:
        stop.set()
        for poller in pollers:
            poller.join(runner.STOP_SECONDS)

    assert not together.broken
    assert sorted(handled) == sorted(e.event_id for e in sent)  # each once, the duplicate not
    assert len(threads_used) == MESSAGES
    assert messages_left(probe_queue) == 0  # all deleted: none comes back
