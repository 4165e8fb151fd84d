"""The events that chain the workflow's steps, and the envelope every message carries.

An event is written to the outbox in the same transaction as the change that caused it,
published to the workflow topic with `event_type` as a message attribute, and fanned out
to the queues whose filter policy names that type (see `shared.messaging.topology`).
"""

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any, Literal

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
    # A pending stage's assignee lost it (withdrawn, decided elsewhere, or reassigned by
    # escalation): their emailed link died, so they are told.
    STAGE_CANCELLED = "stage.cancelled"
    USER_REGISTERED = "user.registered"
    # Account emails with a signed link: only ever by email, whatever the user's channels.
    EMAIL_VERIFICATION_REQUESTED = "user.email_verification_requested"
    PASSWORD_RESET_REQUESTED = "user.password_reset_requested"
    # The notify step asks for one outgoing HTTP delivery (signed webhook or chat message);
    # its own queue retries it with backoff (shared.notifications.delivery).
    DELIVERY_REQUESTED = "delivery.requested"
    # The credit-operations loops (issue 13).
    # The current approver asked the applicant for more information; the applicant answered
    # (possibly amending the request); nobody answered in time and the request closed.
    REQUEST_INFO_REQUESTED = "request.info_requested"
    REQUEST_INFO_PROVIDED = "request.info_provided"
    REQUEST_INCOMPLETE = "request.incomplete"
    # The final approver offered other terms; the applicant declined them or let them lapse
    # (an accepted offer is `request.approved`).
    REQUEST_OFFER_MADE = "request.offer_made"
    REQUEST_OFFER_DECLINED = "request.offer_declined"
    # The applicant asked for a human review of an automatic decline; a reviewer got it.
    REQUEST_REVIEW_REQUESTED = "request.review_requested"
    REVIEW_ASSIGNED = "review.assigned"
    # A message on a request's conversation, emailed to the other side.
    MESSAGE_POSTED = "message.posted"
    # An approver set out of office (issue 13, delegation): their delegate is told.
    ABSENCE_SET = "absence.set"


MAX_MESSAGE_BYTES = 64 * 1024


class Event(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    @property
    def credit_request_id(self) -> uuid.UUID | None:
        """The credit request the event is about, if any (for logs and the email cap)."""
        return None


class RequestEvent(Event):
    request_id: uuid.UUID

    @property
    def credit_request_id(self) -> uuid.UUID | None:
        return self.request_id


class StageEvent(RequestEvent):
    stage_id: uuid.UUID


class StageAssignedEvent(StageEvent):
    link_id: uuid.UUID


StageCancelReason = Literal["withdrawn", "rejected", "reassigned"]


class StageCancelledEvent(StageEvent):
    approver_id: uuid.UUID  # whose link died: by now the stage may have another assignee
    reason: StageCancelReason


class ReviewEvent(RequestEvent):
    review_id: uuid.UUID


class MessageEvent(RequestEvent):
    message_id: uuid.UUID


class UserEvent(Event):
    user_id: uuid.UUID


class AbsenceEvent(Event):
    absence_id: uuid.UUID


class DeliveryEvent(UserEvent):
    """One outgoing HTTP notification for a user's channel. The body is fixed here, so every
    retry sends the same bytes; where it goes is read from the user's preferences when sent."""

    channel: str = Field(pattern=r"^[a-z][a-z0-9_]{0,31}$")
    request_id: uuid.UUID | None = None
    body: dict[str, Any]

    @property
    def credit_request_id(self) -> uuid.UUID | None:
        return self.request_id


PAYLOAD_SCHEMAS: dict[EventType, type[Event]] = {
    EventType.REQUEST_SUBMITTED: RequestEvent,
    EventType.REQUEST_AUTO_REJECTED: RequestEvent,
    EventType.REQUEST_PENDING_APPROVAL: RequestEvent,
    EventType.REQUEST_APPROVED: RequestEvent,
    EventType.REQUEST_REJECTED: RequestEvent,
    EventType.REQUEST_WITHDRAWN: RequestEvent,
    EventType.STAGE_APPROVED: StageEvent,
    EventType.STAGE_REMINDER: StageEvent,
    EventType.STAGE_ASSIGNED: StageAssignedEvent,
    EventType.STAGE_CANCELLED: StageCancelledEvent,
    EventType.USER_REGISTERED: UserEvent,
    EventType.EMAIL_VERIFICATION_REQUESTED: UserEvent,
    EventType.PASSWORD_RESET_REQUESTED: UserEvent,
    EventType.DELIVERY_REQUESTED: DeliveryEvent,
    EventType.REQUEST_INFO_REQUESTED: RequestEvent,
    EventType.REQUEST_INFO_PROVIDED: RequestEvent,
    EventType.REQUEST_INCOMPLETE: RequestEvent,
    EventType.REQUEST_OFFER_MADE: RequestEvent,
    EventType.REQUEST_OFFER_DECLINED: RequestEvent,
    EventType.REQUEST_REVIEW_REQUESTED: RequestEvent,
    EventType.REVIEW_ASSIGNED: ReviewEvent,
    EventType.MESSAGE_POSTED: MessageEvent,
    EventType.ABSENCE_SET: AbsenceEvent,
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

    def parsed(self) -> Event:
        return PAYLOAD_SCHEMAS[self.event_type].model_validate(self.payload)
