"""What a notice is: one channel-neutral message to one person, as `notices` composes it
from a workflow event and each channel renders it. Apart from the composing, so the
deliver_webhook step, which only posts what notify queued, loads none of the domain that
composing reads (requests, stages, the policy, approval links)."""

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from shared.config import get_settings
from shared.workflow.events import EventType


@dataclass(frozen=True)
class Recipient:
    id: uuid.UUID
    name: str
    email: str
    role: str
    email_verified: bool = True  # until it is, only account emails go to the address


@dataclass(frozen=True)
class RequestFacts:
    id: uuid.UUID
    ref: str
    amount: Decimal
    term_months: int
    purpose: str
    risk_tier: str | None
    reasons: list[str]  # the policy's sentences, most important first; never the codes
    decided_at: datetime | None
    url: str


@dataclass(frozen=True)
class StageFacts:
    id: uuid.UUID
    level: int
    count: int
    role: str
    due_at: datetime | None


@dataclass(frozen=True)
class Notice:
    event_type: EventType  # also the webhook's `type`
    template: str
    recipient: Recipient
    page_url: str  # the web app's page about it (sign-in required)
    context: dict[str, Any]  # what the email template shows
    data: dict[str, Any]  # the webhook's thin `data`: identifiers, states, the page
    request_id: uuid.UUID | None = None  # the per-request cap counts these
    secret_url: str | None = field(default=None, repr=False)  # the approval link: email only
    occurred_at: datetime | None = None  # when the event happened (the webhook's timestamp)
    # About the account itself (welcome, verification, password reset): sent by email only,
    # whatever the user's channels, and also to an address not verified yet.
    account: bool = False
    # An adverse action notice the law requires (Reg B 1002.9): emailed whatever the user's
    # channels and past the per-request cap (one per request and action already), and marked
    # sent once the email is.
    adverse_action_notice_id: uuid.UUID | None = None


def app_url(path: str) -> str:
    """The web app's address of `path`."""
    return f"{get_settings().public_url}{path}"
