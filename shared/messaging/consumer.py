"""Turning an SQS batch into idempotent, per-message transactions.

Each message is validated, then handled in one transaction that also records
(consumer, event_id) as processed, so a redelivered message has no second effect.
A message that fails is reported back as a partial batch failure: only it is retried,
and after `MAX_RECEIVE_COUNT` attempts SQS moves it to the dead-letter queue.

The partial batch response (`batchItemFailures`, Lambda's `ReportBatchItemFailures`) is
written here rather than with Powertools' batch utility, which loaded the data classes and
parser models of every event source it supports: a quarter of `import fastapi, mangum` at
each queue function's cold start, for a loop of a few lines.
"""

import logging
import uuid
from collections.abc import Callable
from typing import Any

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from shared import aws, metrics
from shared.messaging.models import ProcessedMessage
from shared.messaging.outbox import publishing_together, state_change
from shared.observability import lambda_entry, log_context
from shared.workflow.events import MAX_MESSAGE_BYTES, Envelope

logger = logging.getLogger(__name__)

EventHandler = Callable[[Session, Envelope], None]
LambdaHandler = Callable[[dict[str, Any], Any], dict[str, Any]]
# (receive count, the failure) -> seconds until the message may come back; None: the
# queue's visibility timeout.
RetryDelay = Callable[[int, Exception], int | None]


class MessageRejected(ValueError):
    """A message that can never be processed (too large, malformed)."""


def claim(session: Session, consumer: str, event_id: uuid.UUID) -> bool:
    """True the first time this consumer sees the event; False for a redelivery.

    A concurrent delivery of the same event waits on the row lock until the first commits,
    then finds the row and backs off."""
    inserted = session.execute(
        insert(ProcessedMessage)
        .values(consumer=consumer, event_id=event_id)
        .on_conflict_do_nothing()
        .returning(ProcessedMessage.event_id)
    ).first()
    return inserted is not None


def parse(body: str) -> Envelope:
    """The message's envelope, validated with its payload; MessageRejected or a validation
    error for anything else."""
    if len(body.encode()) > MAX_MESSAGE_BYTES:
        raise MessageRejected(f"message larger than {MAX_MESSAGE_BYTES} bytes")
    return Envelope.model_validate_json(body)


def handle_message(consumer: str, handle: EventHandler, body: str) -> bool:
    """Handle one message body. Returns False when it was a duplicate."""
    envelope = parse(body)
    request_id = envelope.parsed().credit_request_id
    with log_context(
        correlation_id=envelope.correlation_id,
        credit_request_id=str(request_id) if request_id else None,
        event_type=envelope.event_type.value,
        event_id=str(envelope.event_id),
    ):
        with state_change() as session:
            first_time = claim(session, consumer, envelope.event_id)
            if first_time:
                handle(session, envelope)
        logger.info("event handled" if first_time else "duplicate event skipped")
    return first_time


def _queue_url(queue_arn: str) -> str:
    """The queue's URL from its ARN (arn:aws:sqs:<region>:<account>:<name>), with no lookup
    and so no sqs:GetQueueUrl permission; SQS (and LocalStack) accept this form anywhere."""
    _, _, _, region, account, name = queue_arn.split(":")
    return f"https://sqs.{region}.amazonaws.com/{account}/{name}"


def _delay_retry(record: dict[str, Any], seconds: int) -> None:
    """Backoff: a failed message is not received again for `seconds` (its visibility
    timeout, changed before the failure is reported)."""
    try:
        aws.client("sqs").change_message_visibility(
            QueueUrl=_queue_url(record["eventSourceARN"]),
            ReceiptHandle=record["receiptHandle"],
            VisibilityTimeout=seconds,
        )
    except Exception:
        logger.exception("could not delay the retry; the queue's visibility timeout applies")


def sqs_handler(
    consumer: str, handle: EventHandler, retry_delay: RetryDelay | None = None
) -> LambdaHandler:
    """The Lambda handler of an SQS-triggered step: each message handled once (idempotent on
    its event id), failures reported one by one as a partial batch response; `retry_delay`
    says how long a failed message waits before it is received again (backoff)."""

    def record_handler(record: dict[str, Any]) -> None:
        try:
            handle_message(consumer, handle, record["body"])
        except Exception as exc:
            metrics.MESSAGE_FAILURES.labels(consumer).inc()
            logger.exception("message failed", extra={"message_id": record.get("messageId")})
            if retry_delay is not None:
                receives = int(record.get("attributes", {}).get("ApproximateReceiveCount") or 1)
                seconds = retry_delay(receives, exc)
                if seconds is not None:
                    _delay_retry(record, seconds)
            raise

    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        # A failure is reported, not raised, so the rest of the batch stands; a batch whose
        # every message failed is still answered item by item. The events the batch's
        # messages commit are published together when it ends.
        failures = []
        with publishing_together():
            for record in event["Records"]:  # not an SQS event: a function error, as it should be
                try:
                    record_handler(record)
                except Exception:
                    failures.append({"itemIdentifier": record["messageId"]})
        return {"batchItemFailures": failures}

    return lambda_entry(consumer, handler)
