"""Lambda entry point of the `notify` step: sends the workflow's emails through SES (SQS)."""

from shared.messaging.consumer import sqs_handler
from shared.notifications.service import notify

handler = sqs_handler("notify", notify)
