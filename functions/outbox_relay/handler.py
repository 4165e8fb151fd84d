"""Lambda entry point of the `outbox_relay` schedule: publishes events whose immediate
publish after commit did not happen (a crash, or SNS briefly unreachable), and delivers
again what a re-created queue lost with its broker (shared.messaging.recovery)."""

from typing import Any

from shared.messaging.outbox import relay_pending
from shared.messaging.recovery import redeliver_lost_events
from shared.observability import lambda_entry


def handle(event: dict[str, Any], context: Any) -> dict[str, int]:
    return {"published": relay_pending(), "redelivered": redeliver_lost_events()}


handler = lambda_entry("outbox_relay", handle)
