"""The notify step: which event sends which email, to whom.

The email is sent inside the consumer's transaction, after the event is claimed: if sending
fails, the claim rolls back and the message is retried; if the commit fails after a send,
a redelivery could send again (the narrow at-least-once window, stated in the README).

At most EMAILS_PER_REQUEST emails go out about one credit request, whatever loops upstream:
past the cap an email is skipped and the skip audited (`email.suppressed`); the event still
counts as handled, so nothing retries it.
"""

import logging
import uuid

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from shared import aws
from shared.approvals import links
from shared.approvals.models import ApprovalLink, ApprovalStage
from shared.audit.models import AuditLog
from shared.audit.service import Actor, record
from shared.config import get_settings
from shared.credit.models import CreditRequest
from shared.notifications import emails
from shared.users.models import User
from shared.workflow.events import Envelope, EventType, StageAssignedEvent, StageEvent
from shared.workflow.states import StageStatus

logger = logging.getLogger(__name__)
NOTIFIER = Actor.system("notify")


def send(email: emails.Email) -> None:
    aws.client("ses").send_email(
        Source=get_settings().mail_from,
        Destination={"ToAddresses": [email.to]},
        Message={
            "Subject": {"Data": email.subject, "Charset": "UTF-8"},
            "Body": {"Text": {"Data": email.text, "Charset": "UTF-8"}},
        },
    )


def compose(session: Session, envelope: Envelope) -> emails.Email | None:
    match envelope.event_type:
        case EventType.STAGE_ASSIGNED:
            assigned = envelope.parsed()
            assert isinstance(assigned, StageAssignedEvent)
            link = session.get(ApprovalLink, assigned.link_id)
            stage = session.get(ApprovalStage, assigned.stage_id)
            if (
                link is None
                or stage is None
                or stage.status != StageStatus.PENDING
                or stage.assignee_id != link.approver_id
            ):
                return None  # decided or reassigned before we got here: the link is useless
            request = session.get(CreditRequest, stage.request_id)
            approver = session.get(User, link.approver_id)
            assert request is not None and approver is not None
            return emails.stage_assigned(approver.email, request, stage.level, links.url_for(link))
        case EventType.STAGE_REMINDER:
            reminder = envelope.parsed()
            assert isinstance(reminder, StageEvent)
            stage = session.get(ApprovalStage, reminder.stage_id)
            if stage is None or stage.status != StageStatus.PENDING or stage.assignee_id is None:
                return None
            request = session.get(CreditRequest, stage.request_id)
            approver = session.get(User, stage.assignee_id)
            assert request is not None and approver is not None
            return emails.stage_reminder(approver.email, request, stage.level)
        case _:
            event = envelope.parsed()
            request = session.get(CreditRequest, event.request_id)
            if request is None:
                return None
            applicant = session.get(User, request.applicant_id)
            assert applicant is not None
            template = {
                EventType.REQUEST_SUBMITTED: emails.submitted,
                EventType.REQUEST_AUTO_REJECTED: emails.auto_rejected,
                EventType.REQUEST_APPROVED: emails.final_decision,
                EventType.REQUEST_REJECTED: emails.final_decision,
            }.get(envelope.event_type)
            return template(applicant.email, request) if template else None


def _emails_sent(session: Session, request_id: uuid.UUID) -> int:
    """How many emails this request has caused so far (every send is audited)."""
    # One notify at a time per request, so two deliveries cannot both pass the cap.
    session.execute(select(func.pg_advisory_xact_lock(func.hashtext(f"notify:{request_id}"))))
    return int(
        session.scalar(
            select(func.count())
            .select_from(AuditLog)
            .where(
                AuditLog.action == "email.sent",
                AuditLog.entity_type == "credit_request",
                AuditLog.entity_id == str(request_id),
            )
        )
        or 0
    )


def notify(session: Session, envelope: Envelope) -> None:
    email = compose(session, envelope)
    if email is None:
        return
    request_id = envelope.parsed().request_id
    details = {"event_type": envelope.event_type.value, "subject": email.subject}
    cap = get_settings().emails_per_request
    if _emails_sent(session, request_id) >= cap:
        logger.warning(
            "email cap reached; email skipped",
            extra={"event_type": envelope.event_type.value, "cap": cap},
        )
        record(
            session,
            NOTIFIER,
            "email.suppressed",
            "credit_request",
            request_id,
            details={**details, "reason": "emails_per_request", "cap": cap},
        )
        return
    send(email)
    record(session, NOTIFIER, "email.sent", "credit_request", request_id, details=details)
