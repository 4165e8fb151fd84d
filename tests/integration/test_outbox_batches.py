"""The outbox publishes what one transaction committed with SNS PublishBatch, ten events a
call, and a transaction that added no event publishes nothing (no second transaction)."""

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from shared import aws
from shared.db import unit_of_work
from shared.messaging import outbox
from shared.messaging.models import OutboxEvent
from shared.messaging.outbox import state_change
from shared.users.schemas import UserCreate
from shared.users.service import register
from shared.workflow.events import EventType, UserEvent
from tests.support import STAFF_PASSWORD

PUBLISH_BATCH = "provide-client-params.sns.PublishBatch"


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
    batches: list[int] = []

    def count(params: dict[str, Any], **_: Any) -> None:
        batches.append(len(params["PublishBatchRequestEntries"]))

    sns = aws.client("sns", fail_fast=True)  # the client that publishes right after a commit
    sns.meta.events.register(PUBLISH_BATCH, count)
    try:
        with state_change() as session:
            ids = [_register(session, "batch") for _ in range(12)]
    finally:
        sns.meta.events.unregister(PUBLISH_BATCH, count)

    assert batches[0] == 10 and all(size <= 10 for size in batches)
    assert sum(batches) >= 12
    with unit_of_work() as session:
        published = session.scalars(
            select(OutboxEvent.published_at).where(OutboxEvent.payload["user_id"].astext.in_(ids))
        ).all()
    assert len(published) == 12 and all(at is not None for at in published)
    drain()  # the welcome emails, so no later test finds these messages


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
