"""Lambda entry point of the `escalate` step (EventBridge schedule): reminders and
reassignment of stalled approvals."""

from dataclasses import asdict
from typing import Any

from shared.approvals.service import escalate
from shared.db import unit_of_work
from shared.messaging.outbox import relay_after_commit
from shared.observability import lambda_entry


def handle(event: dict[str, Any], context: Any) -> dict[str, int]:
    with unit_of_work() as session:
        report = escalate(session)
    relay_after_commit()
    return asdict(report)


handler = lambda_entry("escalate", handle)
