"""Lambda entry point of the `escalate` step (EventBridge schedule): reminders and
reassignment of stalled approvals, and reviews of declines nobody could be assigned yet."""

from dataclasses import asdict
from typing import Any

from shared.approvals import review
from shared.approvals.service import escalate
from shared.messaging.outbox import state_change
from shared.observability import lambda_entry


def handle(event: dict[str, Any], context: Any) -> dict[str, int]:
    with state_change() as session:
        report = escalate(session)
        reviews_assigned = review.retry_unassigned(session)
    return {**asdict(report), "reviews_assigned": reviews_assigned}


handler = lambda_entry("escalate", handle)
