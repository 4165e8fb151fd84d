"""Lambda entry point of the `escalate` step (EventBridge schedule): reminders and
reassignment of stalled approvals."""

from dataclasses import asdict
from typing import Any

from shared.approvals.service import escalate
from shared.messaging.outbox import state_change
from shared.observability import lambda_entry


def handle(event: dict[str, Any], context: Any) -> dict[str, int]:
    with state_change() as session:
        report = escalate(session)
    return asdict(report)


handler = lambda_entry("escalate", handle)
