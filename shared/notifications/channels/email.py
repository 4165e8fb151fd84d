"""The email channel (on unless the user turns it off): the notice's template, rendered as
an HTML and a text part, sent through SES to the address on the user's account.

The email is sent inside the notify step's transaction, after its event was claimed: if
sending fails, the claim rolls back and the message is retried; if the commit fails after
a send, a redelivery could send again (the narrow at-least-once window the README states).
"""

import logging
from typing import ClassVar

from sqlalchemy.orm import Session

from shared import aws
from shared.config import get_settings
from shared.notifications import emails
from shared.notifications.channels.base import Channel, audit, within_cap
from shared.notifications.models import NotificationPreference
from shared.notifications.notice import Notice

logger = logging.getLogger(__name__)


def send_email(email: emails.Email) -> None:
    """Send one email through SES, its HTML and text parts in UTF-8."""
    aws.client("ses").send_email(
        Source=get_settings().mail_from,
        Destination={"ToAddresses": [email.to]},
        Message={
            "Subject": {"Data": email.subject, "Charset": "UTF-8"},
            "Body": {
                "Text": {"Data": email.text, "Charset": "UTF-8"},
                "Html": {"Data": email.html, "Charset": "UTF-8"},
            },
        },
    )


class EmailChannel(Channel):
    name: ClassVar[str] = "email"
    label: ClassVar[str] = "Email"
    enabled_by_default: ClassVar[bool] = True
    sends_at_once: ClassVar[bool] = True

    def send(
        self, session: Session, notice: Notice, preference: NotificationPreference | None
    ) -> None:
        email = emails.render(notice)
        # The subject is what the audit trail says was sent; never the body (it may hold a link).
        details = {"subject": email.subject}
        legal = notice.adverse_action_notice_id is not None  # one per request and action
        if not legal and not within_cap(session, notice, "email.sent"):
            cap = get_settings().emails_per_request
            logger.warning(
                "email cap reached; email skipped",
                extra={"event_type": notice.event_type.value, "cap": cap},
            )
            audit(
                session, notice, "email.suppressed", **details, reason="emails_per_request", cap=cap
            )
            return
        send_email(email)
        audit(session, notice, "email.sent", **details)


CHANNEL = EmailChannel()
