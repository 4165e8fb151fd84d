"""The notification preferences API's bodies (GET/PUT /api/v1/users/me/notifications).

Generic over the channel registry: each channel's `settings` object is validated by that
channel's own model, so a new channel needs no change here."""

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
