"""Lambda entry point of the `deliver_webhook` step: posts queued webhook and chat
notifications, retried with exponential backoff through its queue (SQS)."""

from shared.messaging.consumer import sqs_handler
from shared.notifications.delivery import deliver, retry_delay

handler = sqs_handler("deliver_webhook", deliver, retry_delay)
