"""Lambda entry point of the `route_to_approver` step: builds the approval chain and assigns
each stage as it becomes current (SQS)."""

from sqlalchemy.orm import Session

from shared.approvals.service import assign_next_stage
from shared.messaging.consumer import sqs_handler
from shared.workflow.events import Envelope


def route_event(session: Session, envelope: Envelope) -> None:
    assign_next_stage(session, envelope.parsed().request_id)


handler = sqs_handler("route_to_approver", route_event)
