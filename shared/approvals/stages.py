"""Ending a stage before its decision. One home for it, because whoever held the stage must
hear that their emailed link died, whichever path ended it (withdrawal, rejection,
reassignment by escalation)."""

import uuid

from sqlalchemy.orm import Session

from shared.approvals.models import ApprovalStage
from shared.messaging.outbox import add_event
from shared.workflow.events import EventType, StageCancelledEvent, StageCancelReason
from shared.workflow.states import StageStatus, advance_stage


def tell_previous_assignee(
    session: Session, stage: ApprovalStage, approver_id: uuid.UUID, reason: StageCancelReason
) -> None:
    """Tell the approver who held `stage` that their link died, with `stage.cancelled`."""
    add_event(
        session,
        EventType.STAGE_CANCELLED,
        StageCancelledEvent(
            request_id=stage.request_id, stage_id=stage.id, approver_id=approver_id, reason=reason
        ),
    )


def cancel_stage(session: Session, stage: ApprovalStage, reason: StageCancelReason) -> None:
    """Cancel a waiting or pending stage. Only a pending stage has a live link (a waiting
    one was never assigned), so only its assignee is told."""
    holder = stage.assignee_id if stage.status == StageStatus.PENDING else None
    advance_stage(stage, StageStatus.CANCELLED)
    if holder is not None:
        tell_previous_assignee(session, stage, holder, reason)
