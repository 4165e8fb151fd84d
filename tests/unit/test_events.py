"""Event envelopes and message parsing (shared.workflow.events, shared.messaging.consumer)."""

import json
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import ValidationError

from shared.messaging.consumer import MessageRejected, parse
from shared.workflow.events import (
    MAX_MESSAGE_BYTES,
    PAYLOAD_SCHEMAS,
    Envelope,
    EventType,
    RequestEvent,
    StageAssignedEvent,
    StageEvent,
)

REQUEST_ID = uuid.UUID("0b5d7e0c-7b1e-4a55-9a4e-3f0f5a0f6a01")
STAGE_ID = uuid.UUID("1c6e8f1d-8c2f-4b66-8b5f-4a1a6b1a7b02")
LINK_ID = uuid.UUID("2d7f9a2e-9d3a-4c77-9c6a-5b2b7c2b8c03")
OCCURRED = datetime(2026, 11, 28, 9, 30, tzinfo=UTC)


def body(**overrides: Any) -> dict[str, Any]:
    envelope: dict[str, Any] = {
        "event_id": str(uuid.uuid4()),
        "event_type": "request.submitted",
        "occurred_at": OCCURRED.isoformat(),
        "correlation_id": "corr-123",
        "payload": {"request_id": str(REQUEST_ID)},
    }
    envelope.update(overrides)
    return envelope


def as_json(envelope: dict[str, Any]) -> str:
    return json.dumps(envelope)


def test_valid_envelope_parses() -> None:
    raw = body()
    envelope = parse(as_json(raw))
    assert envelope.event_id == uuid.UUID(raw["event_id"])
    assert envelope.event_type is EventType.REQUEST_SUBMITTED
    assert envelope.occurred_at == OCCURRED
    assert envelope.correlation_id == "corr-123"
    parsed = envelope.parsed()
    assert type(parsed) is RequestEvent
    assert parsed.request_id == REQUEST_ID


def test_stage_assigned_parses_with_link_id() -> None:
    raw = body(
        event_type="stage.assigned",
        payload={
            "request_id": str(REQUEST_ID),
            "stage_id": str(STAGE_ID),
            "link_id": str(LINK_ID),
        },
    )
    parsed = parse(as_json(raw)).parsed()
    assert isinstance(parsed, StageAssignedEvent)
    assert (parsed.request_id, parsed.stage_id, parsed.link_id) == (REQUEST_ID, STAGE_ID, LINK_ID)


def test_what_the_outbox_publishes_is_what_a_consumer_parses() -> None:
    # The outbox builds an Envelope from a payload model and publishes model_dump_json().
    payload = StageEvent(request_id=REQUEST_ID, stage_id=STAGE_ID)
    sent = Envelope(
        event_id=uuid.uuid4(),
        event_type=EventType.STAGE_APPROVED,
        occurred_at=OCCURRED,
        correlation_id="c",
        payload=payload.model_dump(mode="json"),
    )
    received = parse(sent.model_dump_json())
    assert received == sent
    assert received.parsed() == payload


@pytest.mark.parametrize("event_type", list(EventType))
def test_every_event_type_has_a_payload_schema(event_type: EventType) -> None:
    assert event_type in PAYLOAD_SCHEMAS


def test_unknown_envelope_field_is_rejected() -> None:
    with pytest.raises(ValidationError):
        parse(as_json(body(retries=3)))


def test_unknown_payload_field_is_rejected() -> None:
    raw = body(payload={"request_id": str(REQUEST_ID), "amount": "1000000"})
    with pytest.raises(ValidationError):
        parse(as_json(raw))


def test_stage_assigned_without_link_id_is_rejected() -> None:
    raw = body(
        event_type="stage.assigned",
        payload={"request_id": str(REQUEST_ID), "stage_id": str(STAGE_ID)},
    )
    with pytest.raises(ValidationError):
        parse(as_json(raw))


def test_stage_event_without_stage_id_is_rejected() -> None:
    raw = body(event_type="stage.approved", payload={"request_id": str(REQUEST_ID)})
    with pytest.raises(ValidationError):
        parse(as_json(raw))


def test_request_event_carrying_stage_fields_is_rejected() -> None:
    # A stage.assigned payload sent with a request.* type does not fit that type's schema.
    raw = body(
        event_type="request.approved",
        payload={
            "request_id": str(REQUEST_ID),
            "stage_id": str(STAGE_ID),
            "link_id": str(LINK_ID),
        },
    )
    with pytest.raises(ValidationError):
        parse(as_json(raw))


def test_unknown_event_type_is_rejected() -> None:
    with pytest.raises(ValidationError):
        parse(as_json(body(event_type="request.teleported")))


def test_malformed_ids_are_rejected() -> None:
    with pytest.raises(ValidationError):
        parse(as_json(body(event_id="not-a-uuid")))
    with pytest.raises(ValidationError):
        parse(as_json(body(payload={"request_id": "42"})))


@pytest.mark.parametrize("missing", ["event_id", "event_type", "occurred_at", "payload"])
def test_missing_envelope_field_is_rejected(missing: str) -> None:
    raw = body()
    del raw[missing]
    with pytest.raises(ValidationError):
        parse(as_json(raw))


def test_overlong_correlation_id_is_rejected() -> None:
    assert parse(as_json(body(correlation_id="x" * 128))).correlation_id == "x" * 128
    with pytest.raises(ValidationError):
        parse(as_json(body(correlation_id="x" * 129)))


def test_non_json_body_is_rejected() -> None:
    with pytest.raises(ValidationError):
        parse("this is not json")


def test_body_at_the_size_limit_parses_and_one_byte_more_is_rejected() -> None:
    compact = as_json(body())
    at_limit = compact + " " * (MAX_MESSAGE_BYTES - len(compact.encode()))
    assert len(at_limit.encode()) == MAX_MESSAGE_BYTES
    assert parse(at_limit).event_type is EventType.REQUEST_SUBMITTED

    with pytest.raises(MessageRejected):
        parse(at_limit + " ")


def test_size_limit_counts_bytes_not_characters() -> None:
    # Fewer characters than the limit, but more bytes once UTF-8 encoded.
    text = "é" * (MAX_MESSAGE_BYTES // 2 + 1)
    assert len(text) < MAX_MESSAGE_BYTES < len(text.encode())
    with pytest.raises(MessageRejected):
        parse(text)
