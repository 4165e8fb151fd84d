"""Lambda entry point of the `escalate` step (EventBridge schedule): reminders and
reassignment of stalled approvals, and closing requests whose applicant did not answer an
approver's questions in time."""

from dataclasses import asdict
from typing import Any

from shared.approvals.information import close_unanswered
from shared.approvals.service import escalate
from shared.messaging.outbox import state_change
from shared.observability import lambda_entry


def handle(event: dict[str, Any], context: Any) -> dict[str, int]:
    with state_change() as session:
        report = escalate(session)
        closed = close_unanswered(session)  # requests left unanswered: incomplete
    return {**asdict(report), "closed_incomplete": closed}


handler = lambda_entry("escalate", handle)
