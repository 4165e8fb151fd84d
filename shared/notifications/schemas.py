"""The notification preferences API's bodies (GET/PUT /api/v1/users/me/notifications).

Generic over the channel registry: each channel's `settings` object is validated by that
channel's own model, so a new channel needs no change here."""

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

CHANNEL_NAME = r"^[a-z][a-z0-9_]{0,31}$"


class ChannelPreferenceIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "channel": "webhook",
                    "enabled": True,
                    "settings": {"url": "https://hooks.example.com/credit"},
                }
            ]
        },
    )

    channel: str = Field(pattern=CHANNEL_NAME, description="email, webhook or chat")
    enabled: bool
    settings: dict[str, Any] = Field(
        default_factory=dict,
        description="The channel's settings: webhook {url}; chat {url, format: slack|teams}; "
        "email none. A URL must be https (http only in local/test mode) and may not point "
        "to a private, loopback, link-local or metadata address.",
    )
    rotate_secret: bool = Field(
        default=False,
        description="Signing channels (webhook): make a new signing secret, shown once in "
        "this answer; the old one stops working at once.",
    )


class NotificationPreferencesIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    channels: list[ChannelPreferenceIn] = Field(
        min_length=1, max_length=16, description="Only the channels listed change."
    )

    @field_validator("channels")
    @classmethod
    def each_channel_once(cls, value: list[ChannelPreferenceIn]) -> list[ChannelPreferenceIn]:
        names = [c.channel for c in value]
        if len(names) != len(set(names)):
            raise ValueError("list each channel at most once")
        return value


class ChannelPreferenceOut(BaseModel):
    channel: str
    label: str
    enabled: bool
    settings: dict[str, Any]
    shown_once: dict[str, str] = Field(
        default_factory=dict,
        description="Secrets made by this save (the webhook's signing_secret): shown only "
        "in this answer, never again. Lost: rotate it.",
    )


class NotificationPreferencesOut(BaseModel):
    channels: list[ChannelPreferenceOut]


class NoticeReasonOut(BaseModel):
    code: str = Field(examples=["EXCESSIVE_OBLIGATIONS"])
    message: str = Field(
        examples=["Your existing debt payments are too high in relation to your income."]
    )


class NoticeScoreOut(BaseModel):
    """The credit score the decision used (FCRA 615(a), Dodd-Frank 1100F)."""

    value: int = Field(examples=[540])
    range_low: int = Field(examples=[300])
    range_high: int = Field(examples=[850])
    factors: list[str] = Field(description="The key factors that adversely affected it, 4 at most.")
    date: datetime = Field(description="When the score was obtained.")


class NoticeBureauOut(BaseModel):
    """The consumer reporting agency whose report and score were used."""

    name: str
    address: str
    phone: str
    website: str


class NoticeStatementsOut(BaseModel):
    """The fixed statements every notice carries, word for word."""

    bureau_did_not_decide: str
    free_report: str = Field(description="The right to a free report within 60 days.")
    dispute: str = Field(description="The right to dispute the report with the bureau.")
    score: str
    ecoa: str = Field(description="The ECOA notice (Reg B 1002.9(b)(1)).")


class AdverseActionNoticeOut(BaseModel):
    """An adverse action notice as the applicant received it (Reg B 1002.9, FCRA 615(a))."""

    id: uuid.UUID
    request_id: uuid.UUID
    action: str = Field(
        description="The request's status the notice is about: auto_rejected, rejected, "
        "incomplete or offer_declined.",
        examples=["auto_rejected"],
    )
    heading: str
    action_text: str = Field(description="The action taken, as the notice states it.")
    reasons: list[NoticeReasonOut] = Field(description="The principal reasons, 1 to 4.")
    score: NoticeScoreOut | None = Field(description="Null when no credit score was used.")
    bureau: NoticeBureauOut
    comment: str | None = Field(
        description="The rejecting approver's comment, where the policy shares it."
    )
    statements: NoticeStatementsOut
    created_at: datetime
    sent_at: datetime | None = Field(description="When it was emailed; null until then.")
