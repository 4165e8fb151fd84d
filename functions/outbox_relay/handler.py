"""Lambda entry point of the `outbox_relay` schedule: publishes events whose immediate
publish after commit did not happen (a crash, or SNS briefly unreachable)."""

from typing import Any

from shared.messaging.outbox import relay_pending
from shared.observability import lambda_entry


def handle(event: dict[str, Any], context: Any) -> dict[str, int]:
    return {"published": relay_pending()}


handler = lambda_entry("outbox_relay", handle)
