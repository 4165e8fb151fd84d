"""The outbox publishes what one transaction committed with SNS PublishBatch, ten events a
call, and a transaction that added no event publishes nothing (no second transaction)."""

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select

from shared import aws
from shared.db import unit_of_work
from shared.messaging import outbox
from shared.messaging.models import OutboxEvent
from shared.messaging.outbox import state_change
from shared.users.schemas import UserCreate
from shared.users.service import register
from tests.support import STAFF_PASSWORD

PUBLISH_BATCH = "provide-client-params.sns.PublishBatch"


def test_events_committed_together_go_out_ten_to_a_call(drain: Callable[[], None]) -> None:
    batches: list[int] = []

    def count(params: dict[str, Any], **_: Any) -> None:
        batches.append(len(params["PublishBatchRequestEntries"]))

    sns = aws.client("sns", fail_fast=True)  # the client that publishes right after a commit
    sns.meta.events.register(PUBLISH_BATCH, count)
    try:
        with state_change() as session:
            names = [f"batch-{uuid.uuid4().hex[:10]}" for _ in range(12)]
            ids = [
                str(
                    register(
                        session,
                        UserCreate(
                            username=name,
                            email=f"{name}@example.com",
                            password=STAFF_PASSWORD,
                            full_name=name,
                        ),
                    ).id
                )
                for name in names
            ]
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


def test_a_transaction_without_events_does_not_look_for_some(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    relays: list[int] = []

    def relay(**_: object) -> int:
        relays.append(1)
        return 0

    monkeypatch.setattr(outbox, "relay_pending", relay)
    with state_change() as session:
        session.execute(select(1))
    assert relays == []
