"""The local stand-in for Lambda's event sources: it polls each step's SQS queue and invokes
the step's handler with a real SQS event (deleting only what the handler did not report
as failed), and fires the scheduled steps on their EventBridge expressions. Functions run in
this process or in their own containers: see infra/local/invoke.py.

As Lambda's SQS event source scales out, each queue has `maximum_concurrency` pollers (the
topology's number, the template's ScalingConfig), each long-polling and invoking the handler
with its own batch; a slow batch on one does not hold up the queue."""

import logging
import re
import signal
import threading
import time
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from infra.local.invoke import FunctionError, function_handler, invoke, url_template
from infra.local.lambda_events import LambdaContext, scheduled_event, sqs_event
from shared import aws, metrics
from shared.clock import utcnow
from shared.messaging.topology import (
    FUNCTION_TIMEOUT_SECONDS,
    QUEUES,
    SCHEDULES,
    QueueSpec,
    ScheduleSpec,
)

logger = logging.getLogger(__name__)

# Long polling, as Lambda's pollers do: an empty queue costs one receive per poller every
# few seconds, and a message is handed over as soon as it arrives. Short enough that a stop
# (Ctrl-C, SIGTERM) waits for at most one poll.
LONG_POLL_SECONDS = 5
STOP_SECONDS = LONG_POLL_SECONDS + 5  # how long a stop waits for pollers to finish their batch


@cache
def _queue(queue: QueueSpec) -> tuple[str, str]:
    sqs = aws.client("sqs")
    url = aws.queue_url(queue.name)
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    return url, arn


def poll_once(queue: QueueSpec, wait_seconds: int = 0) -> int:
    """Receive one batch and invoke the queue's function. Returns how many messages came."""
    sqs = aws.client("sqs")
    url, arn = _queue(queue)
    messages = sqs.receive_message(
        QueueUrl=url,
        MaxNumberOfMessages=queue.batch_size,
        WaitTimeSeconds=wait_seconds,
        AttributeNames=["All"],
        MessageAttributeNames=["All"],
    ).get("Messages", [])
    if not messages:
        metrics.QUEUE_OLDEST_MESSAGE_AGE.labels(queue.name).set(0)
        return 0
    now_ms = time.time() * 1000
    ages = [
        max(0.0, (now_ms - float(m.get("Attributes", {}).get("SentTimestamp", now_ms))) / 1000)
        for m in messages
    ]
    for age in ages:
        metrics.QUEUE_MESSAGE_AGE.labels(queue.name).observe(age)
    metrics.QUEUE_OLDEST_MESSAGE_AGE.labels(queue.name).set(max(ages))
    context = LambdaContext(queue.function, FUNCTION_TIMEOUT_SECONDS)
    try:
        response = invoke(queue.function, sqs_event(messages, arn), context)
        failed = {f["itemIdentifier"] for f in response.get("batchItemFailures", [])}
    except FunctionError as exc:
        # As Lambda's event source mapping does: the whole batch comes back after the
        # visibility timeout.
        logger.error(
            "function failed", extra={"function": exc.function, "error_type": exc.error_type}
        )
        failed = {m["MessageId"] for m in messages}
    done = [m for m in messages if m["MessageId"] not in failed]
    if done:
        sqs.delete_message_batch(
            QueueUrl=url,
            Entries=[{"Id": m["MessageId"], "ReceiptHandle": m["ReceiptHandle"]} for m in done],
        )
    return len(messages)


def invoke_schedule(schedule: ScheduleSpec) -> Any:
    return invoke(
        schedule.function,
        scheduled_event(schedule.name),
        LambdaContext(schedule.function, FUNCTION_TIMEOUT_SECONDS),
    )


def drain(max_rounds: int = 50) -> None:
    """Run every queue until all are empty: the whole cascade of one action, synchronously.
    For tests and scripts; the running stack uses `run` instead."""
    for _ in range(max_rounds):
        if sum(poll_once(q) for q in QUEUES) == 0:
            return
    raise RuntimeError("queues did not drain")


_RATE = re.compile(r"rate\((\d+) (minute|minutes|hour|hours|day|days)\)")
_DAILY_CRON = re.compile(r"cron\((\d+) (\d+) \* \* \? \*\)")


def next_run(expression: str, after: datetime) -> datetime:
    """The next firing of an EventBridge expression. Supports what the topology uses:
    rate(N unit) and daily cron(M H * * ? *)."""
    if match := _RATE.fullmatch(expression):
        count, unit = int(match[1]), match[2].rstrip("s")
        return after + timedelta(**{f"{unit}s": count})
    if match := _DAILY_CRON.fullmatch(expression):
        candidate = after.replace(hour=int(match[2]), minute=int(match[1]), second=0, microsecond=0)
        return candidate if candidate > after else candidate + timedelta(days=1)
    raise ValueError(f"unsupported schedule expression: {expression}")


def _poll_forever(queue: QueueSpec, stop: threading.Event) -> None:
    while not stop.is_set():
        try:
            poll_once(queue, wait_seconds=LONG_POLL_SECONDS)
        except Exception:
            logger.exception("polling failed", extra={"queue": queue.name})
            stop.wait(2)


def _schedule_forever(stop: threading.Event) -> None:
    now = utcnow()
    due = {s: next_run(s.expression, now) for s in SCHEDULES}
    while not stop.is_set():
        now = utcnow()
        for schedule, at in due.items():
            if now >= at:
                try:
                    invoke_schedule(schedule)
                except Exception:
                    logger.exception("scheduled function failed", extra={"schedule": schedule.name})
                due[schedule] = next_run(schedule.expression, now)
        stop.wait(1)


def pollers(queues: tuple[QueueSpec, ...] = QUEUES) -> list[tuple[QueueSpec, str]]:
    """(queue, thread name) of every poller: `maximum_concurrency` per queue when the handlers
    run here; one when each function is a container (FUNCTION_URL_TEMPLATE), whose emulator
    takes one invocation at a time, so more pollers would only queue for it."""
    return [
        (queue, f"queue-{queue.name}-{index}")
        for queue in queues
        for index in range(queue.maximum_concurrency if url_template() is None else 1)
    ]


def connections_needed(queues: tuple[QueueSpec, ...] = QUEUES) -> int:
    """Database connections this process can hold at once: one per poller (a handler works
    one message at a time, in one transaction) and one for the scheduler."""
    return len(pollers(queues)) + 1


def start_pollers(
    stop: threading.Event, queues: tuple[QueueSpec, ...] = QUEUES
) -> list[threading.Thread]:
    threads = [
        threading.Thread(target=_poll_forever, args=(queue, stop), name=name, daemon=True)
        for queue, name in pollers(queues)
    ]
    for thread in threads:
        thread.start()
    return threads


def run(stop: threading.Event) -> list[threading.Thread]:
    if url_template() is None:
        # Import every in-process handler here, on one thread: concurrent first imports of
        # the same packages from the polling threads can deadlock or half-initialise modules.
        for function in {q.function for q in QUEUES} | {s.function for s in SCHEDULES}:
            function_handler(function)
        # Likewise the AWS clients the pollers share (boto3's default session is not safe
        # to make clients from on several threads at once).
        aws.client("sqs")
    threads = start_pollers(stop)
    scheduler = threading.Thread(
        target=_schedule_forever, args=(stop,), name="scheduler", daemon=True
    )
    scheduler.start()
    return [*threads, scheduler]


if __name__ == "__main__":
    import os

    from prometheus_client import start_http_server

    from shared.db import size_pool_for
    from shared.observability import configure_logging

    # Every poller may hold a connection at once (in-process functions share this process's
    # pool): size the pool for them unless told otherwise, so none waits for another.
    size_pool_for(connections_needed())
    configure_logging()
    if metrics_port := os.environ.get("RUNNER_METRICS_PORT"):
        # In containers the runner cannot share a PROMETHEUS_MULTIPROC_DIR with the gateway,
        # so Prometheus scrapes this process's queue metrics here; the functions, in their
        # own containers, serve theirs (METRICS_PORT). The workflow gauges (read from the
        # database) stay on the gateway's /metrics only.
        start_http_server(int(metrics_port))
    stop_event = threading.Event()
    # Stop on Ctrl-C or SIGTERM by letting each loop finish its current poll (about a second),
    # rather than interrupting a thread halfway through a message.
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop_event.set())
    workers = run(stop_event)
    stop_event.wait()
    deadline = time.monotonic() + STOP_SECONDS
    for worker in workers:
        worker.join(timeout=max(0.0, deadline - time.monotonic()))
