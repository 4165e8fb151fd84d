"""Lambda entry point of the `escalate` step (EventBridge schedule): reminders and
reassignment of stalled approvals, and closing requests whose applicant did not answer an
approver's questions in time, and closing counteroffers nobody answered in time."""

from dataclasses import asdict
from typing import Any

from shared.approvals import offers
from shared.approvals.information import close_unanswered
from shared.approvals.service import escalate
from shared.messaging.outbox import state_change
from shared.observability import lambda_entry


def handle(event: dict[str, Any], context: Any) -> dict[str, int]:
    with state_change() as session:
        report = escalate(session)
        closed = close_unanswered(session)  # requests left unanswered: incomplete
    # Its own transaction: neither job's failure undoes the other's work.
    with state_change() as session:
        lapsed = offers.lapse(session)
    return {**asdict(report), "closed_incomplete": closed, "offers_lapsed": lapsed}


handler = lambda_entry("escalate", handle)
