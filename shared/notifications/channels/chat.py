"""The chat channel: a message to a Slack or Microsoft Teams incoming webhook.

Chat channels are often shared, so a message says what happened and links to the request's
page in the app, which needs sign-in — never a one-click decision, never the emailed
approval link, no applicant's name or amount.

Slack gets Block Kit (`text` as the notification fallback, a section, a link button); Teams
an Adaptive Card in a message attachment, the format its incoming webhooks and Workflows
"post to a channel when a webhook request is received" accept. Neither signs: the URL is
the secret, so it is never logged nor audited.
"""

from typing import Any, ClassVar, Literal

from shared.config import get_settings
from shared.notifications import emails
from shared.notifications.channels.base import HttpChannel, UrlSettings
from shared.notifications.formatting import when
from shared.notifications.models import NotificationPreference
from shared.notifications.notice import Notice


class ChatSettings(UrlSettings):
    format: Literal["slack", "teams"] = "slack"


def lines(notice: Notice) -> tuple[str, str | None, str]:
    """The headline, an optional detail line and the link's label."""
    subject = emails.subject_of(notice)
    stage = notice.context.get("stage")
    due = None
    if stage is not None and notice.template in ("stage_assigned", "stage_reminder"):
        due = f"Due {when(stage.due_at)}"
    request = notice.context.get("request")
    product = get_settings().product_name
    label = f"Open request {request.ref} in {product}" if request else f"Open {product}"
    return subject, due, label


def slack_escape(text: str) -> str:
    """`text` with the three characters Slack's mrkdwn reserves escaped."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack(notice: Notice) -> dict[str, Any]:
    """A notice as a Slack incoming-webhook message: text, and a button to the app."""
    subject, detail, label = lines(notice)
    text = "\n".join(slack_escape(t) for t in (f"*{subject}*", detail) if t)
    return {
        "text": subject,
        "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": text}},
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "text": {"type": "plain_text", "text": label},
                        "url": notice.page_url,
                    }
                ],
            },
        ],
    }


def teams(notice: Notice) -> dict[str, Any]:
    """A notice as a Teams incoming-webhook Adaptive Card, with a button to the app."""
    subject, detail, label = lines(notice)
    body: list[dict[str, Any]] = [
        {"type": "TextBlock", "text": subject, "wrap": True, "weight": "Bolder"}
    ]
    if detail:
        body.append({"type": "TextBlock", "text": detail, "wrap": True})
    card = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": body,
        "actions": [{"type": "Action.OpenUrl", "title": label, "url": notice.page_url}],
    }
    return {
        "type": "message",
        "attachments": [
            {
                "contentType": "application/vnd.microsoft.card.adaptive",
                "contentUrl": None,
                "content": card,
            }
        ],
    }


class ChatChannel(HttpChannel):
    name: ClassVar[str] = "chat"
    label: ClassVar[str] = "Slack or Teams"
    settings_model: ClassVar[type[UrlSettings]] = ChatSettings

    def body(self, notice: Notice, preference: NotificationPreference) -> dict[str, Any]:
        return teams(notice) if preference.settings.get("format") == "teams" else slack(notice)


CHANNEL = ChatChannel()
