"""Transactional outbox: events are rows committed with the change that caused them, then
published to SNS. A crash between commit and publish loses nothing; the relay publishes later.
A crash between publish and marking may publish twice, which idempotent consumers absorb.
"""

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared import aws
from shared.clock import utcnow
from shared.db import new_session, take_kept, unit_of_work
from shared.messaging.models import OutboxEvent
from shared.messaging.topology import TOPIC
from shared.observability import current_correlation_id
from shared.workflow.events import Envelope, Event, EventType, UserEvent

logger = logging.getLogger(__name__)

RELAY_BATCH = 100


def add_event(session: Session, event_type: EventType, payload: Event) -> None:
    """Queue an event for publication with this transaction. It carries the correlation id
    of whatever caused it (the HTTP call or the message being handled), so the journey's
    log lines can be found from the first call on."""
    subject = payload.credit_request_id or (
        payload.user_id if isinstance(payload, UserEvent) else None
    )
    session.add(
        OutboxEvent(
            event_type=event_type.value,
            payload=payload.model_dump(mode="json"),
            correlation_id=current_correlation_id() or str(subject),
        )
    )


def envelope_of(row: OutboxEvent) -> Envelope:
    """The message published for an outbox row (SNS delivers it raw to each queue)."""
    return Envelope(
        event_id=row.id,
        event_type=EventType(row.event_type),
        occurred_at=row.created_at,
        correlation_id=row.correlation_id,
        payload=row.payload,
    )


def _publish(envelope: Envelope) -> None:
    attributes: dict[str, Any] = {
        "event_type": {"DataType": "String", "StringValue": envelope.event_type.value},
        "correlation_id": {"DataType": "String", "StringValue": envelope.correlation_id},
    }
    aws.client("sns").publish(
        TopicArn=aws.topic_arn(TOPIC),
        Message=envelope.model_dump_json(),
        MessageAttributes=attributes,
    )


def relay_pending() -> int:
    """Publish unpublished events, oldest first; how many. Safe to run concurrently (SKIP
    LOCKED): each event is published by one relay, at least once."""
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
            for row in rows:
                _publish(envelope_of(row))
                row.published_at = utcnow()
                logger.info(
                    "event published",
                    extra={"event_type": row.event_type, "correlation_id": row.correlation_id},
                )
            published += len(rows)
        if len(rows) < RELAY_BATCH:
            return published


def relay_after_commit() -> None:
    """Fast path after a step commits: publish now rather than wait for the scheduled relay.
    A failure here is logged, not raised: the change is committed and the relay will retry."""
    try:
        relay_pending()
    except Exception:
        logger.exception("outbox publish failed; the scheduled relay will retry")


@contextmanager
def state_change(session: Session | None = None) -> Iterator[Session]:
    """The one way a step changes workflow state: a transaction that commits when the block
    ends (rolls back if it raises), after which the events it added are published at once.
    Rows kept with `keep_on_rollback` (refusals' audit entries) are written either way.

    Without `session`, a new one; with it (an HTTP request's, already reading), that one, so
    a request is one transaction on one connection."""
    own = session is None
    work = new_session() if session is None else session
    try:
        yield work
        work.add_all(take_kept(work))
        work.commit()
    except BaseException:
        work.rollback()
        if kept := take_kept(work):
            work.add_all(kept)
            work.commit()
        raise
    finally:
        if own:
            work.close()
    relay_after_commit()
