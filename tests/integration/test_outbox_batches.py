"""The outbox publishes what one transaction committed with SNS PublishBatch, ten events a
call, and a transaction that added no event publishes nothing (no second transaction). A
queue function publishes what its batch's messages committed together, once the batch ends."""

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from shared import aws
from shared.clock import utcnow
from shared.db import unit_of_work
from shared.messaging import outbox
from shared.messaging.consumer import sqs_handler
from shared.messaging.models import OutboxEvent
from shared.messaging.outbox import relay_pending, state_change
from shared.users.schemas import UserCreate
from shared.users.service import register
from shared.workflow.events import Envelope, EventType, UserEvent
from tests.support import STAFF_PASSWORD

PUBLISH_BATCH = "provide-client-params.sns.PublishBatch"


@contextmanager
def publish_calls(fail_on_call: int | None = None) -> Iterator[list[int]]:
    """The number of events in each PublishBatch call made inside the block by the client
    that publishes right after a commit; the call numbered `fail_on_call` (from 1) raises, as
    if SNS were unreachable."""
    calls: list[int] = []

    def observe(params: dict[str, Any], **_: Any) -> None:
        calls.append(len(params["PublishBatchRequestEntries"]))
        if len(calls) == fail_on_call:
            raise ConnectionError("SNS unreachable")

    sns = aws.client("sns", fail_fast=True)
    sns.meta.events.register(PUBLISH_BATCH, observe)
    try:
        yield calls
    finally:
        sns.meta.events.unregister(PUBLISH_BATCH, observe)


def _register(session: Session, prefix: str) -> str:
    """A new user, registered in the session's transaction (its outbox event too); its id."""
    name = f"{prefix}-{uuid.uuid4().hex[:10]}"
    user = register(
        session,
        UserCreate(
            username=name, email=f"{name}@example.com", password=STAFF_PASSWORD, full_name=name
        ),
    )
    return str(user.id)


def test_events_committed_together_go_out_ten_to_a_call(drain: Callable[[], None]) -> None:
    with publish_calls() as batches, state_change() as session:
        ids = [_register(session, "batch") for _ in range(12)]

    assert batches[0] == 10 and all(size <= 10 for size in batches)
    assert sum(batches) >= 12
    with unit_of_work() as session:
        published = session.scalars(
            select(OutboxEvent.published_at).where(OutboxEvent.payload["user_id"].astext.in_(ids))
        ).all()
    assert len(published) == 12 and all(at is not None for at in published)
    drain()  # the welcome emails, so no later test finds these messages


def _published_at(user_ids: list[str]) -> list[object]:
    with unit_of_work() as session:
        return list(
            session.scalars(
                select(OutboxEvent.published_at).where(
                    OutboxEvent.payload["user_id"].astext.in_(user_ids)
                )
            ).all()
        )


def _record(n: int) -> dict[str, Any]:
    """An SQS record, as Lambda hands it over, of a message numbered `n`."""
    envelope = Envelope(
        event_id=uuid.uuid4(),
        event_type=EventType.REQUEST_SUBMITTED,
        occurred_at=utcnow(),
        correlation_id=f"message-{n}",
        payload={"request_id": str(uuid.uuid4())},
    )
    return {"messageId": f"message-{n}", "receiptHandle": "-", "body": envelope.model_dump_json()}


def test_a_queue_functions_batch_publishes_what_its_messages_committed_in_one_call(
    drain: Callable[[], None],
) -> None:
    """Each message's handling commits an event of its own; the third one fails. The four
    that committed go out in one PublishBatch call once the batch is done, all marked
    published; the failed one's rolled back, and it is reported for a retry."""
    user_ids: list[str] = []
    records = [_record(n) for n in range(5)]
    with publish_calls() as batches:

        def handle(session: Session, envelope: Envelope) -> None:
            user_id = _register(session, "queued")
            if envelope.correlation_id == "message-2":
                raise RuntimeError("this message fails after adding its event")
            user_ids.append(user_id)
            assert batches == []  # nothing goes out while the batch is being handled

        handler = sqs_handler(f"batch-probe-{uuid.uuid4().hex[:8]}", handle)
        response = handler({"Records": records}, None)

    assert response == {"batchItemFailures": [{"itemIdentifier": "message-2"}]}
    assert batches == [4]
    published = _published_at(user_ids)
    assert len(user_ids) == 4 and len(published) == 4
    assert all(at is not None for at in published)
    drain()  # the welcome emails, so no later test finds these messages


def test_what_a_batch_committed_is_published_even_if_the_batch_breaks_off(
    drain: Callable[[], None],
) -> None:
    """A function that raises part-way (not one message's failure) still publishes what its
    earlier messages committed."""
    user_ids: list[str] = []
    with pytest.raises(KeyError), outbox.publishing_together():
        with state_change() as session:
            user_ids.append(_register(session, "before-break"))
        assert _published_at(user_ids) == [None]  # held until the block ends
        raise KeyError("Records")
    assert all(at is not None for at in _published_at(user_ids))
    drain()


def test_what_sns_took_before_a_call_failed_is_marked_and_the_rest_left_to_the_relay(
    drain: Callable[[], None],
) -> None:
    """Twelve events go out in two calls; the second raises (SNS unreachable). The ten of the
    first are marked published, so the relay does not send them again; the two others stay
    for it."""
    with publish_calls(fail_on_call=2) as calls, state_change() as session:
        ids = [_register(session, "partial") for _ in range(12)]

    assert calls == [10, 2]
    assert None not in _published_at(ids[:10])
    assert _published_at(ids[10:]) == [None, None]
    relay_pending()  # what the scheduled relay does with the two
    assert None not in _published_at(ids)
    drain()


def test_a_transaction_without_events_publishes_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    published: list[object] = []
    monkeypatch.setattr(outbox, "publish_committed", published.append)
    with state_change() as session:
        session.execute(select(1))
    assert published == []


def test_a_step_publishes_only_what_it_committed(drain: Callable[[], None]) -> None:
    """Another transaction's unpublished event is the scheduled relay's, not the next step's:
    the fast path publishes what it has in hand, without looking for more."""
    with unit_of_work() as session:
        stranded = OutboxEvent(
            event_type=EventType.USER_REGISTERED.value,
            payload={"user_id": str(uuid.uuid4())},
            correlation_id="stranded",
        )
        session.add(stranded)  # as if its step crashed before publishing
    with state_change() as session:
        user_id = _register(session, "own")
    with unit_of_work() as session:
        own = session.scalars(
            select(OutboxEvent.published_at).where(OutboxEvent.payload["user_id"].astext == user_id)
        ).all()
        left = session.get(OutboxEvent, stranded.id)
        assert left is not None and left.published_at is None
        session.delete(left)  # no later relay run should publish an event for nobody
    assert own and all(at is not None for at in own)
    drain()


def test_an_event_of_a_savepoint_that_rolled_back_is_not_published(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    published: list[list[OutboxEvent]] = []
    monkeypatch.setattr(outbox, "publish_committed", lambda rows: published.append(list(rows)))
    event = UserEvent(user_id=uuid.uuid4())
    with state_change() as session, pytest.raises(RuntimeError), session.begin_nested():
        outbox.add_event(session, EventType.USER_REGISTERED, event)
        raise RuntimeError("the savepoint's work is undone")
    assert published == []
