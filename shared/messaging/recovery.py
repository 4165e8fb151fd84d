"""Events a queue lost with its broker's state, delivered to it again.

SQS keeps a message until it is consumed or its retention period ends, so in AWS this finds
nothing to do. A broker that loses its state takes every message it held with it, after the
outbox marked them published: LocalStack restarted without persistence (it has none in its
community edition), or a queue deleted and created again by hand or by a stack update.

The queue's `CreatedTimestamp` gives the loss away. Once it is newer than the one last seen,
every event published to the old queue within its retention period that the queue's consumer
never recorded as processed is sent to the new queue again. Consumers are idempotent
(shared.messaging.consumer), so an event that had in fact arrived costs a skipped duplicate.
"""

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.dialects.postgresql import insert

from shared import aws
from shared.db import unit_of_work
from shared.messaging.models import OutboxEvent, ProcessedMessage, QueueGeneration
from shared.messaging.outbox import envelope_of
from shared.messaging.topology import QUEUES, QueueSpec

logger = logging.getLogger(__name__)

# A new broker creates the topic, then each queue and its subscription: events published in
# that short gap reached no queue. Generous, as a duplicate is harmless.
SUBSCRIPTION_MARGIN = timedelta(seconds=60)
SEND_BATCH = 10  # SendMessageBatch's maximum


def _created_and_retention(sqs: Any, url: str) -> tuple[datetime, timedelta]:
    attributes = sqs.get_queue_attributes(
        QueueUrl=url, AttributeNames=["CreatedTimestamp", "MessageRetentionPeriod"]
    )["Attributes"]
    created = datetime.fromtimestamp(int(attributes["CreatedTimestamp"]), UTC)
    return created, timedelta(seconds=int(attributes["MessageRetentionPeriod"]))


def remember_queue_generations() -> None:
    """Note each queue's creation time where none is known yet. Run when the resources are
    provisioned, so a queue lost before the relay's first run is noticed all the same."""
    sqs = aws.client("sqs")
    with unit_of_work() as session:
        for queue in QUEUES:
            created, _ = _created_and_retention(sqs, aws.queue_url(queue.name))
            session.execute(
                insert(QueueGeneration)
                .values(queue=queue.name, created_at=created)
                .on_conflict_do_nothing()
            )


def _redeliver(queue: QueueSpec, sqs: Any) -> int:
    url = aws.queue_url(queue.name)
    created, retention = _created_and_retention(sqs, url)
    with unit_of_work() as session:
        known = session.get(QueueGeneration, queue.name, with_for_update=True)
        if known is None:  # first sight: nothing to compare with yet
            session.add(QueueGeneration(queue=queue.name, created_at=created))
            return 0
        if created <= known.created_at:
            return 0
        lost = session.scalars(
            select(OutboxEvent)
            .where(
                OutboxEvent.event_type.in_([t.value for t in queue.event_types]),
                OutboxEvent.published_at >= created - retention,
                OutboxEvent.published_at <= created + SUBSCRIPTION_MARGIN,
                ~exists().where(
                    ProcessedMessage.consumer == queue.function,
                    ProcessedMessage.event_id == OutboxEvent.id,
                ),
            )
            .order_by(OutboxEvent.created_at)
        ).all()
        for start in range(0, len(lost), SEND_BATCH):
            batch = lost[start : start + SEND_BATCH]
            # The body SNS delivers raw: the event's envelope.
            entries = [
                {"Id": row.id.hex, "MessageBody": envelope_of(row).model_dump_json()}
                for row in batch
            ]
            response = sqs.send_message_batch(QueueUrl=url, Entries=entries)
            if response.get("Failed"):
                # Roll back: the generation stays old, so the next run tries them all again.
                raise RuntimeError(f"{len(response['Failed'])} lost events not sent again")
        known.created_at = created
    logger.warning(
        "queue was created again; events it lost delivered again",
        extra={"queue": queue.name, "events": len(lost)},
    )
    return len(lost)


def redeliver_lost_events() -> int:
    """Send each re-created queue the events it lost; how many."""
    sqs = aws.client("sqs")
    return sum(_redeliver(queue, sqs) for queue in QUEUES)
