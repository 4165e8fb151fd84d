"""What the workflow reports about itself: a log line and metrics per state change,
emitted once the change commits (a rolled-back change reports nothing)."""

import logging

from sqlalchemy.orm import Session

from shared import metrics
from shared.credit.models import CreditRequest
from shared.db import on_commit

logger = logging.getLogger("shared.workflow")
AUTOMATIC = "0"  # the `level` label of the automatic analysis' decision


def submitted(session: Session, request: CreditRequest) -> None:
    """Count and log a submission once its transaction commits."""
    request_id = str(request.id)

    def report() -> None:
        metrics.REQUESTS_SUBMITTED.inc()
        logger.info("credit request submitted", extra={"credit_request_id": request_id})

    on_commit(session, report)


def decided(session: Session, request: CreditRequest, outcome: str, level: int | None) -> None:
    """A decision: the automatic analysis' (level None) or an approval stage's. When it ends
    the request, the time from submission to decision is recorded too."""
    request_id = str(request.id)
    final_after = (
        (request.decided_at - request.created_at).total_seconds() if request.decided_at else None
    )
    level_label = AUTOMATIC if level is None else str(level)

    def report() -> None:
        metrics.DECISIONS.labels(outcome, level_label).inc()
        if final_after is not None:
            metrics.TIME_TO_DECISION.labels(request.status).observe(final_after)
        logger.info(
            "credit request decided",
            extra={"credit_request_id": request_id, "outcome": outcome, "level": level_label},
        )

    on_commit(session, report)
