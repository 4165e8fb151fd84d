"""Dead-letter queue operations: what is dead-lettered, and putting it back to work.

Each step's queue in the topology has a dead-letter queue (`<queue>-dlq`) where SQS moves a
message after `max_receive_count` failed attempts. `inventory()` reports each one's depth, the
age of the oldest message it sampled and a sample body; `redrive()` moves a queue's dead
letters back to the queue they came from, for its step to try again once the cause is fixed.

Redrive uses SQS's own message move task (`StartMessageMoveTask`) where the endpoint offers
it (AWS, and LocalStack 3+); elsewhere it copies: receive from the DLQ, send to the source
queue, and only then delete from the DLQ. Interrupted anywhere, no message is lost (it is
deleted only after its copy was accepted); at worst one is delivered twice (sent, not yet
deleted: the next redrive sends it again), and consumers are idempotent — each step claims
(consumer, event_id) in the transaction of its effect (`shared.messaging.consumer.claim`), so
the second delivery has no effect. The move task gives the same guarantee inside SQS.

`python -m shared.messaging.dlq [list | redrive <queue>]` is `make dlq` / `make redrive`.
"""

import argparse
import json
import logging
import sys
import time
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, PrivateAttr

from shared import aws
from shared.errors import Conflict, NotFound
from shared.messaging.topology import QUEUES, QueueSpec

if TYPE_CHECKING:
    from botocore.exceptions import ClientError

logger = logging.getLogger(__name__)

SAMPLE_SIZE = 10  # messages peeked for the oldest age: SQS keeps no order to ask for
SAMPLE_BODY_CHARS = 2000
COPY_VISIBILITY_SECONDS = 60  # a copied message stays hidden this long if its delete fails
# What an endpoint without message move tasks answers (the fallback then copies).
UNSUPPORTED = frozenset({"UnsupportedOperation", "InvalidAction", "NotImplemented", "501"})
ACTIVE_TASK = frozenset({"CREATED", "RUNNING", "CANCELLING"})


class DeadLetterQueue(BaseModel):
    queue: str  # the step's queue the dead letters came from (what `redrive` takes)
    dead_letter_queue: str
    function: str
    depth: int  # visible + in flight
    oldest_age_seconds: float | None  # of the messages sampled; None when empty
    sample: str | None  # one message's body (truncated)
    redrive_running: bool


class RedriveResult(BaseModel):
    queue: str
    method: Literal["move_task", "copy"]
    messages: int  # moved (copy), or to move (move task: the DLQ's depth when it started)
    task_handle: str | None = None
    # The newest move task before this one started (its StartedTimestamp, ms): SQS names a
    # task by handle only while it runs, so `wait_for` knows its task as the next one.
    _after_ms: int = PrivateAttr(default=0)


def find(name: str) -> QueueSpec:
    """The topology's queue named `name` or whose dead-letter queue it is; NotFound otherwise."""
    for queue in QUEUES:
        if name in (queue.name, queue.dlq_name):
            return queue
    raise NotFound(f"No dead-letter queue named {name!r}.", code="dead_letter_queue_not_found")


def _url_and_arn(name: str) -> tuple[str, str]:
    url = aws.queue_url(name)
    arn = aws.client("sqs").get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])
    return url, str(arn["Attributes"]["QueueArn"])


def _depth(url: str) -> int:
    attributes = aws.client("sqs").get_queue_attributes(
        QueueUrl=url,
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    )["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"]) + int(
        attributes["ApproximateNumberOfMessagesNotVisible"]
    )


def _peek(url: str) -> list[dict[str, Any]]:
    """Up to SAMPLE_SIZE messages, left visible (a visibility timeout of 0): reading a DLQ
    must not hide its messages from a redrive. A DLQ has no redrive policy of its own, so
    the receive count this adds moves nothing."""
    messages: list[dict[str, Any]] = (
        aws.client("sqs")
        .receive_message(
            QueueUrl=url,
            MaxNumberOfMessages=SAMPLE_SIZE,
            VisibilityTimeout=0,
            AttributeNames=["SentTimestamp"],
        )
        .get("Messages", [])
    )
    return messages


def _move_tasks(arn: str) -> list[dict[str, Any]]:
    from botocore.exceptions import ClientError  # here: the api function's cold start skips it

    try:
        tasks: list[dict[str, Any]] = aws.client("sqs").list_message_move_tasks(
            SourceArn=arn, MaxResults=10
        )["Results"]
    except ClientError as exc:
        if _unsupported(exc):
            return []
        raise
    return tasks


def _unsupported(exc: "ClientError") -> bool:
    error = exc.response.get("Error", {})
    status = str(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", ""))
    return error.get("Code") in UNSUPPORTED or status in UNSUPPORTED


def inspect(queue: QueueSpec, now: float | None = None) -> DeadLetterQueue:
    """One step's dead-letter queue as it stands (its messages stay where they are)."""
    url, arn = _url_and_arn(queue.dlq_name)
    depth = _depth(url)
    sampled = _peek(url) if depth else []
    now_ms = (now or time.time()) * 1000
    sent = [int(m["Attributes"]["SentTimestamp"]) for m in sampled if "Attributes" in m]
    return DeadLetterQueue(
        queue=queue.name,
        dead_letter_queue=queue.dlq_name,
        function=queue.function,
        depth=depth,
        oldest_age_seconds=round(max(0.0, now_ms - min(sent)) / 1000, 1) if sent else None,
        sample=sampled[0]["Body"][:SAMPLE_BODY_CHARS] if sampled else None,
        redrive_running=any(t.get("Status") in ACTIVE_TASK for t in _move_tasks(arn)),
    )


def inventory() -> list[DeadLetterQueue]:
    """Every dead-letter queue of the topology, in its order."""
    return [inspect(queue) for queue in QUEUES]


def redrive(name: str, *, method: Literal["auto", "copy"] = "auto") -> RedriveResult:
    """Move the dead letters of queue `name` (or of the DLQ so named) back to their queue.
    With a move task this returns once SQS has started it (`wait_for` follows it); a copy
    returns when the DLQ yielded nothing more."""
    from botocore.exceptions import ClientError

    queue = find(name)
    dlq_url, dlq_arn = _url_and_arn(queue.dlq_name)
    source_url, source_arn = _url_and_arn(queue.name)
    earlier = _move_tasks(dlq_arn)
    if any(t.get("Status") in ACTIVE_TASK for t in earlier):
        raise Conflict(f"A redrive of {queue.dlq_name} is already running.", code="redrive_running")
    if method == "auto":
        depth = _depth(dlq_url)
        try:
            started = aws.client("sqs").start_message_move_task(
                SourceArn=dlq_arn, DestinationArn=source_arn
            )
        except ClientError as exc:
            if not _unsupported(exc):
                raise
            logger.info("no message move tasks here; redriving by copy", extra={"queue": name})
        else:
            result = RedriveResult(
                queue=queue.name,
                method="move_task",
                messages=depth,
                task_handle=started["TaskHandle"],
            )
            result._after_ms = max((int(t.get("StartedTimestamp", 0)) for t in earlier), default=0)
            return result
    return RedriveResult(queue=queue.name, method="copy", messages=_copy(dlq_url, source_url))


def _copy(dlq_url: str, source_url: str) -> int:
    """Receive → send → delete, a batch at a time, until the DLQ answers empty."""
    sqs = aws.client("sqs")
    moved = 0
    while True:
        messages = sqs.receive_message(
            QueueUrl=dlq_url,
            MaxNumberOfMessages=10,
            VisibilityTimeout=COPY_VISIBILITY_SECONDS,
            MessageAttributeNames=["All"],
        ).get("Messages", [])
        if not messages:
            return moved
        by_id = {str(i): m for i, m in enumerate(messages)}
        sent = sqs.send_message_batch(
            QueueUrl=source_url,
            Entries=[
                {
                    "Id": i,
                    "MessageBody": m["Body"],
                    **(
                        {"MessageAttributes": m["MessageAttributes"]}
                        if "MessageAttributes" in m
                        else {}
                    ),
                }
                for i, m in by_id.items()
            ],
        )
        # Delete only what the source queue accepted; a refused one stays dead-lettered.
        done = [by_id[s["Id"]] for s in sent.get("Successful", [])]
        for failure in sent.get("Failed", []):
            logger.error("redrive could not send a message", extra={"code": failure.get("Code")})
        if done:
            sqs.delete_message_batch(
                QueueUrl=dlq_url,
                Entries=[
                    {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(done)
                ],
            )
        moved += len(done)
        if not done:
            return moved


def wait_for(result: RedriveResult, timeout: float = 300) -> int:
    """Follow a move task to its end; how many messages it moved."""
    if result.task_handle is None:
        return result.messages
    _, dlq_arn = _url_and_arn(find(result.queue).dlq_name)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ours = [
            t for t in _move_tasks(dlq_arn) if int(t.get("StartedTimestamp", 0)) > result._after_ms
        ]
        if ours and ours[0].get("Status") not in ACTIVE_TASK:  # newest first
            if ours[0].get("Status") != "COMPLETED":
                raise RuntimeError(f"redrive ended {ours[0].get('Status')}: {ours[0]}")
            return int(ours[0].get("ApproximateNumberOfMessagesMoved", 0))
        time.sleep(0.5)
    raise TimeoutError(f"the redrive of {result.queue} did not finish within {timeout:.0f}s")


def _table(rows: list[DeadLetterQueue]) -> str:
    lines = [f"{'queue':<22} {'depth':>6} {'oldest':>10}  sample"]
    for row in rows:
        age = "-" if row.oldest_age_seconds is None else f"{row.oldest_age_seconds:.0f}s"
        sample = "-" if row.sample is None else json.dumps(row.sample)[:100]
        running = " (redrive running)" if row.redrive_running else ""
        lines.append(f"{row.dead_letter_queue:<22} {row.depth:>6} {age:>10}  {sample}{running}")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """`make dlq` (list) and `make redrive QUEUE=...` (redrive): 0, or 1 for an unknown queue."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("list", help="each dead-letter queue: depth, oldest age, a sample (default)")
    move = sub.add_parser("redrive", help="move a queue's dead letters back to it")
    move.add_argument("queue", help="the step's queue (score) or its DLQ (score-dlq)")
    move.add_argument("--copy", action="store_true", help="receive/send/delete, no move task")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    if args.command == "redrive":
        try:
            result = redrive(args.queue, method="copy" if args.copy else "auto")
        except (NotFound, Conflict) as exc:
            sys.stderr.write(f"{exc.message}\n")
            return 1
        moved = wait_for(result)
        sys.stdout.write(f"redrove {moved} message(s) to {result.queue} ({result.method})\n")
        return 0
    sys.stdout.write(_table(inventory()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
