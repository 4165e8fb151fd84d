"""The events that chain the workflow's steps, and the envelope every message carries.

An event is written to the outbox in the same transaction as the change that caused it,
published to the workflow topic with `event_type` as a message attribute, and fanned out
to the queues whose filter policy names that type (see `shared.messaging.topology`).
"""

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator


class EventType(StrEnum):
    REQUEST_SUBMITTED = "request.submitted"
    REQUEST_AUTO_REJECTED = "request.auto_rejected"
    REQUEST_PENDING_APPROVAL = "request.pending_approval"
    STAGE_APPROVED = "stage.approved"
    STAGE_ASSIGNED = "stage.assigned"
    STAGE_REMINDER = "stage.reminder"
    REQUEST_APPROVED = "request.approved"
    REQUEST_REJECTED = "request.rejected"
    REQUEST_WITHDRAWN = "request.withdrawn"


MAX_MESSAGE_BYTES = 64 * 1024


class RequestEvent(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    request_id: uuid.UUID


class StageEvent(RequestEvent):
    stage_id: uuid.UUID


class StageAssignedEvent(StageEvent):
    link_id: uuid.UUID


PAYLOAD_SCHEMAS: dict[EventType, type[RequestEvent]] = {
    EventType.REQUEST_SUBMITTED: RequestEvent,
    EventType.REQUEST_AUTO_REJECTED: RequestEvent,
    EventType.REQUEST_PENDING_APPROVAL: RequestEvent,
    EventType.REQUEST_APPROVED: RequestEvent,
    EventType.REQUEST_REJECTED: RequestEvent,
    EventType.REQUEST_WITHDRAWN: RequestEvent,
    EventType.STAGE_APPROVED: StageEvent,
    EventType.STAGE_REMINDER: StageEvent,
    EventType.STAGE_ASSIGNED: StageAssignedEvent,
}


class Envelope(BaseModel):
    """What every SQS message body holds (SNS raw delivery). Validated, payload included,
    before any work is done."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    event_id: uuid.UUID
    event_type: EventType
    occurred_at: datetime
    correlation_id: str = Field(max_length=128)
    payload: dict[str, Any]

    @model_validator(mode="after")
    def payload_matches_type(self) -> "Envelope":
        self.parsed()
        return self

    def parsed(self) -> RequestEvent:
        return PAYLOAD_SCHEMAS[self.event_type].model_validate(self.payload)
