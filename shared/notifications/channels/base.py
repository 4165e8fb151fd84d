"""What a notification channel is. A channel turns a `Notice` into something sent, for users
who turned it on (or by default), and declares the settings its owner gives it.

To add a channel: write a module in this package with a `CHANNEL` (a `Channel`, or an
`HttpChannel` when it posts JSON to a URL the user gives), and add one line to `REGISTRY` in
`__init__.py`. The preferences API, the Notifications screen's data, the notify step and
the delivery queue pick it up from there.
"""

import uuid
from abc import ABC, abstractmethod
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, field_validator
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from shared.audit.models import AuditLog
from shared.audit.service import Actor, record
from shared.config import get_settings
from shared.messaging.outbox import add_event
from shared.notifications import urls
from shared.notifications.models import NotificationPreference
from shared.notifications.notice import Notice
from shared.workflow.events import DeliveryEvent, EventType

NOTIFIER = Actor.system("notify")


class ChannelSettings(BaseModel):
    """A channel's settings, as its owner sets them and reads them back. Unknown fields
    are refused, so a typo is an error rather than a silently ignored setting."""

    model_config = ConfigDict(extra="forbid")


class UrlSettings(ChannelSettings):
    url: str | None = None

    @field_validator("url")
    @classmethod
    def safe_url(cls, value: str | None) -> str | None:
        return None if value is None else urls.validate(value)


class Channel(ABC):
    name: ClassVar[str]
    label: ClassVar[str]  # what the Notifications screen calls it
    enabled_by_default: ClassVar[bool] = False
    signs: ClassVar[bool] = False  # has a signing secret its owner can rotate
    # Sends at once (cannot be rolled back), rather than only queueing in the transaction:
    # such channels go last, so a failure elsewhere cannot make them send twice.
    sends_at_once: ClassVar[bool] = False
    settings_model: ClassVar[type[ChannelSettings]] = ChannelSettings

    @abstractmethod
    def send(
        self, session: Session, notice: Notice, preference: NotificationPreference | None
    ) -> None:
        """Send (or queue) the notice, inside the notify step's transaction."""

    def check_enabled(self, settings: ChannelSettings) -> str | None:
        """Why these settings cannot be turned on (shown to the owner), if they cannot."""
        return None

    def after_save(self, preference: NotificationPreference, rotate_secret: bool) -> dict[str, str]:
        """Run after the owner saved the channel; returns values shown to them this once."""
        return {}

    def public_settings(self, preference: NotificationPreference | None) -> dict[str, Any]:
        """What the owner reads back (never a secret). As stored: validated when saved."""
        stored = preference.settings if preference is not None else {}
        return {
            name: stored.get(name, field.default)
            for name, field in self.settings_model.model_fields.items()
        }


def within_cap(session: Session, notice: Notice, action: str) -> bool:
    """At most EMAILS_PER_REQUEST notifications per request on each channel, whatever loops
    upstream: counted from the audit trail, where every send is recorded. A request's
    conversation counts apart from its workflow (each bucket holds the cap): however long the
    people talk, the decision's notice still goes out."""
    if notice.request_id is None:
        return True  # about the user, not a request (the welcome): one per registration
    conversation = notice.event_type == EventType.MESSAGE_POSTED
    # One notify at a time per request, channel and bucket, so two cannot both pass.
    lock_key = f"notify:{notice.request_id}:{action}:{'conversation' if conversation else ''}"
    session.execute(select(func.pg_advisory_xact_lock(func.hashtext(lock_key))))
    of_conversation = AuditLog.details["event_type"].astext == EventType.MESSAGE_POSTED.value
    sent = session.scalar(
        select(func.count())
        .select_from(AuditLog)
        .where(
            AuditLog.action == action,
            AuditLog.entity_type == "credit_request",
            AuditLog.entity_id == str(notice.request_id),
            of_conversation if conversation else func.coalesce(~of_conversation, True),
        )
    )
    return int(sent or 0) < get_settings().emails_per_request


def audit(session: Session, notice: Notice, action: str, **details: Any) -> None:
    """Record a notification about a request on the request, any other on the recipient."""
    entity_type, entity_id = (
        ("credit_request", notice.request_id)
        if notice.request_id is not None
        else ("user", notice.recipient.id)
    )
    record(
        session,
        NOTIFIER,
        action,
        entity_type,
        entity_id,
        details={"event_type": notice.event_type.value, **details},
    )


class HttpChannel(Channel):
    """A channel that posts a JSON body to a URL its owner gives (webhook, chat). The notify
    step only queues the delivery (an outbox event to the `webhook-deliveries` queue), in
    its own transaction; `shared.notifications.delivery` posts it, with retries."""

    settings_model: ClassVar[type[ChannelSettings]] = UrlSettings

    @abstractmethod
    def body(self, notice: Notice, preference: NotificationPreference) -> dict[str, Any]:
        """The JSON to post: fixed when queued, so every retry sends the same bytes."""

    def headers(
        self, delivery_id: uuid.UUID, body: bytes, preference: NotificationPreference
    ) -> dict[str, str]:
        """Headers of one attempt (a signing channel signs here, per attempt)."""
        return {}

    def check_enabled(self, settings: ChannelSettings) -> str | None:
        if not getattr(settings, "url", None):
            return f"Give the {self.label} URL to post to before turning it on."
        return None

    def send(
        self, session: Session, notice: Notice, preference: NotificationPreference | None
    ) -> None:
        assert preference is not None, "an HTTP channel is only ever on by its owner's choice"
        if not within_cap(session, notice, f"{self.name}.queued"):
            audit(session, notice, f"{self.name}.suppressed", reason="emails_per_request")
            return
        add_event(
            session,
            EventType.DELIVERY_REQUESTED,
            DeliveryEvent(
                user_id=notice.recipient.id,
                channel=self.name,
                request_id=notice.request_id,
                body=self.body(notice, preference),
            ),
        )
        audit(session, notice, f"{self.name}.queued")
