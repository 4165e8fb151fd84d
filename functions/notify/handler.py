"""Lambda entry point of the `notify` step: the workflow's notifications, as emails (SES) and
queued webhook and chat deliveries (SQS)."""

from shared.messaging.consumer import sqs_handler
from shared.notifications.service import notify

handler = sqs_handler("notify", notify)
