"""Lambda entry point of the `score` step: automatic analysis of submitted requests, and the
approval chain of those that pass (SQS)."""

from sqlalchemy.orm import Session

from shared.approvals.service import analyse
from shared.messaging.consumer import sqs_handler
from shared.workflow.events import Envelope, RequestEvent


def score_event(session: Session, envelope: Envelope) -> None:
    event = envelope.parsed()
    assert isinstance(event, RequestEvent)  # the queue's filter policy admits no other
    analyse(session, event.request_id)


handler = sqs_handler("score", score_event)
