"""Lambda entry point of the `escalate` step (EventBridge schedule): reminders and
reassignment of stalled approvals, and out-of-office windows starting and ending."""

from dataclasses import asdict
from typing import Any

from shared.approvals import delegation
from shared.approvals.service import escalate
from shared.messaging.outbox import state_change
from shared.observability import lambda_entry


def handle(event: dict[str, Any], context: Any) -> dict[str, int]:
    with state_change() as session:
        moves = delegation.run(session)  # first: no stage escalates past an absent holder
        report = escalate(session)
    return {**asdict(report), **{f"absences_{k}": v for k, v in asdict(moves).items()}}


handler = lambda_entry("escalate", handle)
