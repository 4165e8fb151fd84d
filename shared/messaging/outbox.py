"""Transactional outbox: events are rows committed with the change that caused them, then
published to SNS. A crash between commit and publish loses nothing; the relay publishes later.
A crash between publish and marking may publish twice, which idempotent consumers absorb.

Right after its commit, a step publishes the events it committed itself (already in hand: no
second transaction to find and lock them) and marks them published in one statement; the
scheduled relay publishes whatever that missed (a publish that failed, a crash). A queue
function publishes once per batch instead (`publishing_together`): what its messages
committed goes out ten to a call when the batch ends.
"""

import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from sqlalchemy import inspect, select, update
from sqlalchemy.orm import Session

from shared import aws
from shared.clock import utcnow
from shared.db import get_engine, new_session, take_kept, unit_of_work
from shared.messaging.models import OutboxEvent
from shared.messaging.topology import TOPIC
from shared.observability import current_correlation_id
from shared.workflow.events import Envelope, Event, EventType, UserEvent

logger = logging.getLogger(__name__)

RELAY_BATCH = 100
PENDING_EVENTS = "outbox_pending"  # session.info: the outbox rows this transaction added


def add_event(session: Session, event_type: EventType, payload: Event) -> None:
    """Queue an event for publication with this transaction. It carries the correlation id
    of whatever caused it (the HTTP call or the message being handled), so the journey's
    log lines can be found from the first call on."""
    subject = payload.credit_request_id or (
        payload.user_id if isinstance(payload, UserEvent) else None
    )
    row = OutboxEvent(
        event_type=event_type.value,
        payload=payload.model_dump(mode="json"),
        correlation_id=current_correlation_id() or str(subject),
    )
    session.add(row)
    session.info.setdefault(PENDING_EVENTS, []).append(row)  # state_change publishes them


def envelope_of(row: OutboxEvent) -> Envelope:
    """The message published for an outbox row (SNS delivers it raw to each queue)."""
    return Envelope(
        event_id=row.id,
        event_type=EventType(row.event_type),
        occurred_at=row.created_at,
        correlation_id=row.correlation_id,
        payload=row.payload,
    )


# SNS PublishBatch takes at most 10 messages and 256 KiB in all.
PUBLISH_BATCH_ENTRIES = 10
PUBLISH_BATCH_BYTES = 256 * 1024


def _entry(row: OutboxEvent) -> dict[str, Any]:
    envelope = envelope_of(row)
    return {
        "Id": row.id.hex,
        "Message": envelope.model_dump_json(),
        "MessageAttributes": {
            "event_type": {"DataType": "String", "StringValue": envelope.event_type.value},
            "correlation_id": {"DataType": "String", "StringValue": envelope.correlation_id},
        },
    }


def _batches(entries: list[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    """The entries in PublishBatch-sized groups, in order."""
    batch: list[dict[str, Any]] = []
    size = 0
    for entry in entries:
        entry_size = len(entry["Message"].encode()) + 512  # the attributes, generously
        if batch and (
            len(batch) == PUBLISH_BATCH_ENTRIES or size + entry_size > PUBLISH_BATCH_BYTES
        ):
            yield batch
            batch, size = [], 0
        batch.append(entry)
        size += entry_size
    if batch:
        yield batch


def _publish(rows: Sequence[OutboxEvent], sns: Any) -> Iterator[set[str]]:
    """Publish the rows' events, up to ten per call (a step commits several at once: a
    decision's stage and request events, a chain's assignments); yields the ids SNS accepted
    of each call, so a caller keeps what went out before a call that raised."""
    for batch in _batches([_entry(row) for row in rows]):
        response = sns.publish_batch(
            TopicArn=aws.topic_arn(TOPIC), PublishBatchRequestEntries=batch
        )
        for failure in response.get("Failed", []):
            logger.error(
                "event not published; the relay will retry",
                extra={"code": failure.get("Code"), "sender_fault": failure.get("SenderFault")},
            )
        yield {item["Id"] for item in response.get("Successful", [])}


def relay_pending() -> int:
    """Publish unpublished events, oldest first; how many. Safe to run concurrently (SKIP
    LOCKED): each event is published by one relay, at least once. An event SNS refused stays
    unpublished for the scheduled relay's next run."""
    sns = aws.client("sns")
    published = 0
    while True:
        with unit_of_work() as session:
            rows = session.scalars(
                select(OutboxEvent)
                .where(OutboxEvent.published_at.is_(None))
                .order_by(OutboxEvent.created_at)
                .limit(RELAY_BATCH)
                .with_for_update(skip_locked=True)
            ).all()
            accepted = set().union(*_publish(rows, sns))
            now = utcnow()
            for row in rows:
                if row.id.hex in accepted:
                    row.published_at = now
                    logger.info(
                        "event published",
                        extra={"event_type": row.event_type, "correlation_id": row.correlation_id},
                    )
            published += len(accepted)
        if len(rows) < RELAY_BATCH or len(accepted) < len(rows):
            return published


def _to_publish(session: Session) -> list[OutboxEvent]:
    """The outbox rows this transaction is about to commit, written (the INSERT returns their
    `created_at`, the envelope's time) so they can be published once it has. Rows of a
    savepoint that rolled back are no longer in the session: they are left out."""
    rows: list[OutboxEvent] = session.info.pop(PENDING_EVENTS, [])
    if rows:
        session.flush()
    return [row for row in rows if inspect(row).persistent]


def publish_committed(rows: Sequence[OutboxEvent]) -> None:
    """Fast path after a step commits: publish its own events now rather than wait for the
    scheduled relay, and mark them in one statement. A failure here is logged, not raised:
    the change is committed and the relay will retry, so it makes one short attempt and never
    holds the caller long. What SNS accepted before a call that failed is marked all the
    same, so the relay does not publish it a second time."""
    accepted: set[str] = set()
    try:
        for ids in _publish(rows, aws.client("sns", fail_fast=True)):
            accepted |= ids
    except Exception:
        logger.exception(
            "outbox publish failed; the scheduled relay will retry",
            extra={"events": len(rows), "published": len(accepted)},
        )
    if not accepted:
        return
    try:
        with get_engine().begin() as connection:
            connection.execute(
                update(OutboxEvent)
                .where(
                    OutboxEvent.id.in_([row.id for row in rows if row.id.hex in accepted]),
                    OutboxEvent.published_at.is_(None),
                )
                .values(published_at=utcnow())
            )
    except Exception:
        logger.exception("published events not marked; the scheduled relay will publish again")


# The events committed inside `publishing_together`, waiting for the block to end; None
# outside one (each state change publishes its own).
_held: ContextVar[list[OutboxEvent] | None] = ContextVar("outbox_held", default=None)


@contextmanager
def publishing_together() -> Iterator[None]:
    """Publish what the state changes inside the block commit when it ends, together, rather
    than each after its own commit: a queue function's batch of ten messages, each with an
    event, then costs one PublishBatch call and one marking statement instead of ten of each,
    so the busier the queue (the fuller its batches), the less each message costs. An event
    waits for the rest of its batch to be handled (tens of ms a message). Whatever ends the
    block, what was committed in it is published then, in one attempt; what that attempt
    misses, or a function killed before the block ends, leaves to the scheduled relay. Until
    then the relay, if it runs meanwhile, may publish the held events too: a duplicate
    message, which the consumers' claims absorb."""
    held: list[OutboxEvent] = []
    token = _held.set(held)
    try:
        yield
    finally:
        _held.reset(token)
        if held:
            publish_committed(held)


@contextmanager
def state_change(session: Session | None = None) -> Iterator[Session]:
    """The one way a step changes workflow state: a transaction that commits when the block
    ends (rolls back if it raises), after which the events it added, if any, are published
    at once.
    Rows kept with `keep_on_rollback` (refusals' audit entries) are written either way.

    Without `session`, a new one; with it (an HTTP request's, already reading), that one, so
    a request is one transaction on one connection."""
    own = session is None
    work = new_session() if session is None else session
    try:
        yield work
        work.add_all(take_kept(work))
        events = _to_publish(work)
        work.commit()
    except BaseException:
        work.info.pop(PENDING_EVENTS, None)  # rolled back: nothing of this one to publish
        work.rollback()
        if kept := take_kept(work):
            work.add_all(kept)
            work.commit()
        raise
    finally:
        if own:
            work.close()
    # Most notify messages (an email, no webhook) add no event: nothing more to do. Another
    # step's unpublished events are the scheduled relay's.
    if events:
        if (held := _held.get()) is not None:
            held.extend(events)
        else:
            publish_committed(events)
