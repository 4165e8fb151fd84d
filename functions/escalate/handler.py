"""Lambda entry point of the `escalate` step (EventBridge schedule): out-of-office windows
starting and ending, reminders and reassignment of stalled approvals, reviews of declines
nobody could be assigned yet, closing requests whose applicant did not answer an approver's
questions in time, and closing counteroffers nobody answered in time."""

from dataclasses import asdict
from typing import Any

from shared.approvals import delegation, offers, review
from shared.approvals.information import close_unanswered
from shared.approvals.service import escalate
from shared.messaging.outbox import state_change
from shared.observability import lambda_entry


def handle(event: dict[str, Any], context: Any) -> dict[str, int]:
    with state_change() as session:
        moves = delegation.run(session)  # first: no stage escalates past an absent holder
        report = escalate(session)
        reviews_assigned = review.retry_unassigned(session)
        closed = close_unanswered(session)  # requests left unanswered: incomplete
    # Its own transaction: neither job's failure undoes the other's work.
    with state_change() as session:
        lapsed = offers.lapse(session)
    return {
        **asdict(report),
        **{f"absences_{k}": v for k, v in asdict(moves).items()},
        "reviews_assigned": reviews_assigned,
        "closed_incomplete": closed,
        "offers_lapsed": lapsed,
    }


handler = lambda_entry("escalate", handle)
