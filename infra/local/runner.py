"""The local stand-in for Lambda's event sources: it polls each step's SQS queue and invokes
the step's handler with a real SQS event (deleting only what the handler did not report
as failed), and fires the scheduled steps on their EventBridge expressions. Functions run in
this process or in their own containers: see infra/local/invoke.py."""

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
        MaxNumberOfMessages=10,
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
            poll_once(queue, wait_seconds=1)
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


def run(stop: threading.Event) -> list[threading.Thread]:
    if url_template() is None:
        # Import every in-process handler here, on one thread: concurrent first imports of
        # the same packages from the polling threads can deadlock or half-initialise modules.
        for function in {q.function for q in QUEUES} | {s.function for s in SCHEDULES}:
            function_handler(function)
    threads = [
        threading.Thread(target=_poll_forever, args=(q, stop), name=f"queue-{q.name}", daemon=True)
        for q in QUEUES
    ]
    threads.append(
        threading.Thread(target=_schedule_forever, args=(stop,), name="scheduler", daemon=True)
    )
    for thread in threads:
        thread.start()
    return threads


if __name__ == "__main__":
    import os

    from prometheus_client import start_http_server

    from shared.observability import configure_logging

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
    for worker in workers:
        worker.join(timeout=10)
