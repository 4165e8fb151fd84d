"""Lambda entry point of the `route_to_approver` step: builds the approval chain and assigns
each stage as it becomes current, and each requested review of a decline its reviewer (SQS)."""

from sqlalchemy.orm import Session

from shared.approvals.review import assign_reviewer
from shared.approvals.service import assign_next_stage
from shared.messaging.consumer import sqs_handler
from shared.workflow.events import Envelope, EventType, RequestEvent


def route_event(session: Session, envelope: Envelope) -> None:
    event = envelope.parsed()
    assert isinstance(event, RequestEvent)  # the queue's filter policy admits no other
    if envelope.event_type == EventType.REQUEST_REVIEW_REQUESTED:
        assign_reviewer(session, event.request_id)
    else:
        assign_next_stage(session, event.request_id)


handler = sqs_handler("route_to_approver", route_event)
