"""The signed webhook channel, in the Standard Webhooks format (standardwebhooks.com) that
webhook receivers and their libraries expect.

Body: `{"type": <event type>, "timestamp": <when it happened>, "data": {...}}`, a thin payload
(identifiers, states, stage, the app's page): the receiver asks the API for more, signed in,
so personal data is not copied to third parties. Headers of every attempt: `webhook-id` (the
delivery's id, the same on every retry: the receiver's idempotency key), `webhook-timestamp`
(the attempt, in Unix seconds) and `webhook-signature` (`v1,` + base64 HMAC-SHA256 over
`<id>.<timestamp>.<body>`, keyed with the endpoint's secret).

The secret (`whsec_` + base64 of 32 bytes) is derived from SECRET_KEY, the user and a random
key id stored with the preference: the database alone never reveals it. It is shown to its
owner once, in the answer of the save that created or rotated it; lost, it is rotated.
"""

import base64
import hashlib
import hmac
import secrets
import uuid
from typing import Any, ClassVar

from standardwebhooks.webhooks import Webhook

from shared.clock import utcnow
from shared.config import get_settings
from shared.notifications.channels.base import HttpChannel
from shared.notifications.models import NotificationPreference
from shared.notifications.notice import Notice

SECRET_PREFIX = "whsec_"


def signing_secret(preference: NotificationPreference) -> str:
    """The user's webhook signing secret, derived from the app's key and its key id."""
    assert preference.key_id is not None, "a webhook preference always has its key id"
    key = get_settings().secret_key.get_secret_value().encode()
    message = f"webhook-signing:{preference.user_id}:{preference.key_id}".encode()
    digest = hmac.new(key, message, hashlib.sha256).digest()
    return SECRET_PREFIX + base64.b64encode(digest).decode()


def message_id(delivery_id: uuid.UUID) -> str:
    """The Standard Webhooks message id of a delivery: the same on every retry."""
    return f"msg_{delivery_id.hex}"


class WebhookChannel(HttpChannel):
    name: ClassVar[str] = "webhook"
    label: ClassVar[str] = "Webhook"
    signs: ClassVar[bool] = True

    def body(self, notice: Notice, preference: NotificationPreference) -> dict[str, Any]:
        occurred = notice.occurred_at or utcnow()
        return {
            "type": notice.event_type.value,
            "timestamp": occurred.isoformat(),
            "data": notice.data,
        }

    def headers(
        self, delivery_id: uuid.UUID, body: bytes, preference: NotificationPreference
    ) -> dict[str, str]:
        msg_id, now = message_id(delivery_id), utcnow()
        signature = Webhook(signing_secret(preference)).sign(msg_id, now, body.decode())
        return {
            "webhook-id": msg_id,
            "webhook-timestamp": str(int(now.timestamp())),
            "webhook-signature": signature,
        }

    def public_settings(self, preference: NotificationPreference | None) -> dict[str, Any]:
        has_secret = preference is not None and preference.key_id is not None
        return {**super().public_settings(preference), "signing_secret_set": has_secret}

    def after_save(self, preference: NotificationPreference, rotate_secret: bool) -> dict[str, str]:
        """A secret once the webhook has a URL (shown in this answer only), or a new one."""
        has_url = bool(preference.settings.get("url"))
        if not rotate_secret and (preference.key_id is not None or not has_url):
            return {}
        preference.key_id = secrets.token_urlsafe(24)
        return {"signing_secret": signing_secret(preference)}


CHANNEL = WebhookChannel()
