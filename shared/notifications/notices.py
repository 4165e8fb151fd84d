"""Which workflow event tells whom what: one channel-neutral `Notice` (`notice.py`) per event.

Each event has exactly one recipient, so "one notification per event per recipient" is the
consumer's idempotency (one claim per event). Channels then render a notice their own way:
the email channel through its template (`templates/<notice.template>.j2`), the webhook and
chat channels from `data`, `page_url` and the subject. Only the email channel ever sees
`secret_url` (the emailed approval link).
"""

import uuid
from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from shared.approvals import conversation, links, offers
from shared.approvals.models import Absence, ApprovalLink, ApprovalStage, InformationRequest
from shared.approvals.review_models import REVIEW_WINDOW, DeclineReview, of_request
from shared.approvals.timeline import first_name
from shared.auth import account_links
from shared.config import get_settings
from shared.credit import policy
from shared.credit.models import CreditRequest
from shared.notifications import adverse_action
from shared.notifications.notice import Notice, Recipient, RequestFacts, StageFacts, app_url
from shared.users.models import User
from shared.workflow.events import (
    AbsenceEvent,
    Envelope,
    EventType,
    MessageEvent,
    RequestEvent,
    ReviewEvent,
    StageAssignedEvent,
    StageCancelledEvent,
    StageEvent,
    UserEvent,
)
from shared.workflow.states import RequestStatus, Role, StageStatus


def _recipient(user: User) -> Recipient:
    return Recipient(user.id, user.full_name, user.email, user.role, user.email_verified)


def _request_facts(request: CreditRequest) -> RequestFacts:
    return RequestFacts(
        id=request.id,
        ref=str(request.id)[:8],
        amount=request.amount,
        term_months=request.term_months,
        purpose=request.purpose,
        risk_tier=request.risk_tier,
        reasons=[reason["message"] for reason in request.decision_reasons or []],
        decided_at=request.decided_at,
        url=app_url(f"/requests/{request.id}"),
    )


def _stage_facts(session: Session, stage: ApprovalStage) -> StageFacts:
    count = session.scalar(select(func.count()).where(ApprovalStage.request_id == stage.request_id))
    return StageFacts(stage.id, stage.level, int(count or 0), stage.role, stage.due_at)


def _request_data(facts: RequestFacts) -> dict[str, Any]:
    # No status: the event's `type` says what happened; a status read now may be later's.
    return {"request_id": str(facts.id), "url": facts.url}


def _stage_data(stage: StageFacts) -> dict[str, Any]:
    return {
        "stage": {
            "id": str(stage.id),
            "level": stage.level,
            "count": stage.count,
            "due_at": stage.due_at.isoformat() if stage.due_at else None,
        }
    }


APPLICANT_TEMPLATES = {
    EventType.REQUEST_SUBMITTED: "request_submitted",
    EventType.REQUEST_APPROVED: "request_approved",
    EventType.REQUEST_WITHDRAWN: "request_withdrawn",
    EventType.REQUEST_OFFER_MADE: "request_offer_made",
}

ADVERSE_ACTIONS = {
    EventType.REQUEST_AUTO_REJECTED: RequestStatus.AUTO_REJECTED,
    EventType.REQUEST_REJECTED: RequestStatus.REJECTED,
    EventType.REQUEST_INCOMPLETE: RequestStatus.INCOMPLETE,
    EventType.REQUEST_OFFER_DECLINED: RequestStatus.OFFER_DECLINED,
}
"""The events whose applicant gets an adverse action notice, and the status each ends in."""


# What a webhook or chat message says of an offer (no free text: the reason stays in email).
OFFER_DATA = {"amount", "term_months", "installment", "expires_at", "outcome"}


def compose(session: Session, envelope: Envelope) -> Notice | None:
    """The notice an event causes, or None when there is nobody (left) to tell."""
    notice = _compose(session, envelope)
    return None if notice is None else replace(notice, occurred_at=envelope.occurred_at)


def _compose(session: Session, envelope: Envelope) -> Notice | None:
    event = envelope.parsed()
    match envelope.event_type:
        case EventType.USER_REGISTERED:
            assert isinstance(event, UserEvent)
            return _welcome(session, event)
        case EventType.EMAIL_VERIFICATION_REQUESTED:
            assert isinstance(event, UserEvent)
            return _verification(session, event)
        case EventType.PASSWORD_RESET_REQUESTED:
            assert isinstance(event, UserEvent)
            return _password_reset(session, event, envelope.occurred_at)
        case EventType.STAGE_ASSIGNED:
            assert isinstance(event, StageAssignedEvent)
            return _stage_assigned(session, event)
        case EventType.STAGE_REMINDER:
            assert isinstance(event, StageEvent)
            return _stage_reminder(session, event)
        case EventType.STAGE_CANCELLED:
            assert isinstance(event, StageCancelledEvent)
            return _stage_cancelled(session, event)
        case EventType.MESSAGE_POSTED:
            assert isinstance(event, MessageEvent)
            return _message_posted(session, event)
        case EventType.REQUEST_INFO_REQUESTED:
            assert isinstance(event, RequestEvent)
            return _info_requested(session, event)
        case EventType.REQUEST_INFO_PROVIDED:
            assert isinstance(event, RequestEvent)
            return _info_provided(session, event)
        case EventType.ABSENCE_SET:
            assert isinstance(event, AbsenceEvent)
            return _absence_set(session, event)
        case EventType.REVIEW_ASSIGNED:
            assert isinstance(event, ReviewEvent)
            return _review_assigned(session, event)
        case event_type if event_type in APPLICANT_TEMPLATES:
            assert isinstance(event, RequestEvent)
            return _to_applicant(session, event_type, event)
        case event_type if event_type in ADVERSE_ACTIONS:
            assert isinstance(event, RequestEvent)
            return _adverse_action(session, event_type, event)
    return None


def _welcome(session: Session, event: UserEvent) -> Notice | None:
    user = session.get(User, event.user_id)
    if user is None:
        return None
    applicant = user.role == Role.APPLICANT
    page = app_url("/requests/new" if applicant else "/")
    verify_url = None if user.email_verified else _verify_url(user)
    return Notice(
        event_type=EventType.USER_REGISTERED,
        template="welcome",
        recipient=_recipient(user),
        page_url=page,
        context={
            "username": user.username,
            "is_applicant": applicant,
            "verify_url": verify_url,
            "verify_hours": get_settings().email_verification_hours,
        },
        data={"user_id": str(user.id), "url": page},
        secret_url=verify_url,
        account=True,
    )


def _verify_url(user: User) -> str:
    return app_url(f"/verify-email?token={account_links.verification_token(user.id, user.email)}")


def _verification(session: Session, event: UserEvent) -> Notice | None:
    user = session.get(User, event.user_id)
    if user is None or user.email_verified:
        return None  # verified since it was asked for: nothing to send
    verify_url = _verify_url(user)
    page = app_url("/")
    return Notice(
        event_type=EventType.EMAIL_VERIFICATION_REQUESTED,
        template="verify_email",
        recipient=_recipient(user),
        page_url=page,
        context={"verify_url": verify_url, "verify_hours": get_settings().email_verification_hours},
        data={"user_id": str(user.id), "url": page},
        secret_url=verify_url,
        account=True,
    )


def _password_reset(session: Session, event: UserEvent, requested_at: datetime) -> Notice | None:
    user = session.get(User, event.user_id)
    if user is None or not user.is_active:
        return None
    token = account_links.reset_token(user, requested_at)
    if token is None:
        return None  # the link would arrive dead: they can ask again
    reset_url = app_url(f"/reset-password?token={token}")
    page = app_url("/forgot-password")
    return Notice(
        event_type=EventType.PASSWORD_RESET_REQUESTED,
        template="password_reset",
        recipient=_recipient(user),
        page_url=page,
        context={
            "username": user.username,
            "reset_url": reset_url,
            "reset_minutes": get_settings().password_reset_minutes,
        },
        data={"user_id": str(user.id), "url": page},
        secret_url=reset_url,
        account=True,
    )


def _to_applicant(session: Session, event_type: EventType, event: RequestEvent) -> Notice | None:
    request = session.get(CreditRequest, event.request_id)
    if request is None:
        return None
    applicant = session.get(User, request.applicant_id)
    assert applicant is not None  # foreign key
    facts = _request_facts(request)
    context: dict[str, Any] = {"request": facts}
    data = _request_data(facts)
    if event_type in (EventType.REQUEST_OFFER_MADE, EventType.REQUEST_APPROVED):
        offer = offers.for_request(session, request.id)
        if offer is None and event_type == EventType.REQUEST_OFFER_MADE:
            return None  # cannot happen: the offer is made with its event
        if offer is not None and (event_type == EventType.REQUEST_OFFER_MADE or offer.outcome):
            # The offer's terms, and (once approved) the terms the applicant accepted.
            context["offer"] = offers.offer_out(offer, request)
            data["offer"] = context["offer"].model_dump(mode="json", include=OFFER_DATA)
    return Notice(
        event_type=event_type,
        template=APPLICANT_TEMPLATES[event_type],
        recipient=_recipient(applicant),
        page_url=facts.url,
        context=context,
        data=data,
        request_id=request.id,
    )


def _adverse_action(session: Session, event_type: EventType, event: RequestEvent) -> Notice | None:
    request = session.get(CreditRequest, event.request_id)
    if request is None or request.status != ADVERSE_ACTIONS[event_type]:
        return None  # moved on (a human review reopened an automatic decline): nothing final
    applicant = session.get(User, request.applicant_id)
    assert applicant is not None  # foreign key
    facts = _request_facts(request)
    data = _request_data(facts)
    comment, stage, review = None, None, None
    extra: dict[str, Any] = {"review_until": None}
    if event_type == EventType.REQUEST_AUTO_REJECTED and request.decided_at is not None:
        # The right to a human review (shared.approvals.review), and until when.
        extra["review_until"] = request.decided_at + REVIEW_WINDOW
    if event_type == EventType.REQUEST_REJECTED:
        # A reviewer who confirmed the automatic decline: their rationale is the applicant's.
        # (An overturned decline later rejected at a stage is told as any stage's rejection.)
        found = of_request(session, request.id)
        review = found if found is not None and found.outcome == "confirmed" else None
        comment = review.rationale if review is not None else None  # the notice keeps it too
    if event_type == EventType.REQUEST_REJECTED and review is None:
        rejected = session.scalars(
            select(ApprovalStage).where(
                ApprovalStage.request_id == request.id,
                ApprovalStage.status == StageStatus.REJECTED,
            )
        ).first()
        if rejected is not None:
            stage = _stage_facts(session, rejected)
            if policy.load(session).share_rejection_comment:
                comment = rejected.comment
            data |= _stage_data(stage)
    stored = adverse_action.ensure(session, request, comment)
    if stored.sent_at is not None:
        return None  # told already (the same decision announced twice): one notice each
    page = app_url(f"/requests/{request.id}/notice")
    return Notice(
        event_type=event_type,
        template="adverse_action",
        recipient=_recipient(applicant),
        page_url=page,
        context={
            "request": facts,
            "stage": stage,
            "review": review,
            **extra,
            **adverse_action.email_context(stored),
        },
        data={**data, "notice_url": page},
        request_id=request.id,
        adverse_action_notice_id=stored.id,
    )


def _approver_notice(
    session: Session,
    event_type: EventType,
    template: str,
    stage: ApprovalStage,
    approver_id: uuid.UUID,
    page_url: str,
    **context: Any,
) -> Notice:
    request = session.get(CreditRequest, stage.request_id)
    approver = session.get(User, approver_id)
    assert request is not None and approver is not None  # foreign keys
    facts, stage_facts = _request_facts(request), _stage_facts(session, stage)
    return Notice(
        event_type=event_type,
        template=template,
        recipient=_recipient(approver),
        page_url=page_url,
        context={"request": facts, "stage": stage_facts, **context},
        data={**_request_data(facts), **_stage_data(stage_facts), "url": page_url},
        request_id=request.id,
    )


def _stage_assigned(session: Session, event: StageAssignedEvent) -> Notice | None:
    link = session.get(ApprovalLink, event.link_id)
    stage = session.get(ApprovalStage, event.stage_id)
    if (
        link is None
        or stage is None
        or stage.status != StageStatus.PENDING
        or stage.assignee_id != link.approver_id
    ):
        return None  # decided or reassigned before we got here: the link is useless
    request = session.get(CreditRequest, stage.request_id)
    assert request is not None  # foreign key
    applicant = session.get(User, request.applicant_id)
    assert applicant is not None  # foreign key
    # Held for an absent approver (delegation): the delegate is told whose stage it is.
    absent = session.get(User, stage.on_behalf_of) if stage.on_behalf_of else None
    notice = _approver_notice(
        session,
        EventType.STAGE_ASSIGNED,
        "stage_assigned",
        stage,
        link.approver_id,
        app_url(f"/inbox/{request.id}"),
        applicant_name=applicant.full_name,
        link_expires_at=link.expires_at,
        approval_url=links.url_for(link),
        on_behalf_of=absent.full_name if absent else None,
    )
    return replace(notice, secret_url=notice.context["approval_url"])


def _stage_reminder(session: Session, event: StageEvent) -> Notice | None:
    stage = session.get(ApprovalStage, event.stage_id)
    if stage is None or stage.status != StageStatus.PENDING or stage.assignee_id is None:
        return None
    return _approver_notice(
        session,
        EventType.STAGE_REMINDER,
        "stage_reminder",
        stage,
        stage.assignee_id,
        app_url(f"/inbox/{stage.request_id}"),
    )


def _stage_cancelled(session: Session, event: StageCancelledEvent) -> Notice | None:
    stage = session.get(ApprovalStage, event.stage_id)
    if stage is None:
        return None
    notice = _approver_notice(
        session,
        EventType.STAGE_CANCELLED,
        "stage_cancelled",
        stage,
        event.approver_id,
        app_url("/inbox"),
        reason=event.reason,
    )
    return replace(notice, data={**notice.data, "reason": event.reason})


def _message_posted(session: Session, event: MessageEvent) -> Notice | None:
    """A message on a request's conversation, to the other side (`conversation.recipient_of`),
    with its text and the request page's link to answer on; never a note."""
    message = session.get(conversation.RequestMessage, event.message_id)
    if message is None or message.kind != "message":
        return None
    recipient = conversation.recipient_of(session, message)
    if recipient is None:
        return None  # nobody handles the request yet: staff read it on the request page
    request = session.get(CreditRequest, message.request_id)
    author = session.get(User, message.author_id)
    assert request is not None and author is not None  # foreign keys
    facts = _request_facts(request)
    to_applicant = recipient.id == request.applicant_id
    # The applicant is told of staff as on the request page: a role and a first name.
    role = author.role.replace("_", " ")
    author_name = (
        f"{first_name(author.full_name) or 'Our team'} ({role})"
        if to_applicant
        else author.full_name
    )
    return Notice(
        event_type=EventType.MESSAGE_POSTED,
        template="message_posted",
        recipient=_recipient(recipient),
        page_url=facts.url,
        context={
            "request": facts,
            "author_name": author_name,
            "body": message.body,
            "to_applicant": to_applicant,
        },
        data={**_request_data(facts), "message_id": str(message.id)},
        request_id=request.id,
    )


AMENDED_FIELDS = {
    "amount": "Amount",
    "term_months": "Term (months)",
    "purpose": "Purpose",
    "monthly_income": "Monthly income",
    "monthly_debt": "Monthly debt",
    "employment_status": "Employment",
}
"""How the approver's email names the fields an answer amended."""


def _latest_round(session: Session, request_id: uuid.UUID) -> InformationRequest | None:
    return session.scalars(
        select(InformationRequest)
        .where(InformationRequest.request_id == request_id)
        .order_by(InformationRequest.asked_at.desc(), InformationRequest.id.desc())
        .limit(1)
    ).first()


def _info_requested(session: Session, event: RequestEvent) -> Notice | None:
    """To the applicant: the approver's questions, the deadline, and the page to answer on."""
    asked = _latest_round(session, event.request_id)
    request = session.get(CreditRequest, event.request_id)
    if asked is None or request is None or asked.closed_at is not None:
        return None  # answered, rejected or withdrawn before we got here
    applicant, asker = session.get(User, request.applicant_id), session.get(User, asked.asked_by)
    stage = session.get(ApprovalStage, asked.stage_id)
    assert applicant is not None and asker is not None and stage is not None  # foreign keys
    facts = _request_facts(request)
    return Notice(
        event_type=EventType.REQUEST_INFO_REQUESTED,
        template="request_info_requested",
        recipient=_recipient(applicant),
        page_url=facts.url,
        context={
            "request": facts,
            "questions": asked.questions,
            "answer_by": asked.due_at,
            "asker_first_name": (asker.full_name.split() or [""])[0],
            "asker_role": stage.role,
        },
        data={**_request_data(facts), "answer_by": asked.due_at.isoformat()},
        request_id=request.id,
    )


def _info_provided(session: Session, event: RequestEvent) -> Notice | None:
    """To the approver who asked: the answer, what it amended, what became of the request, and
    (when the stage is theirs again) a fresh decision link, since asking spent theirs."""
    asked = _latest_round(session, event.request_id)
    if asked is None or asked.answered_at is None:
        return None
    stage = session.get(ApprovalStage, asked.stage_id)
    assert stage is not None  # foreign key
    link = session.get(ApprovalLink, asked.resume_link_id) if asked.resume_link_id else None
    live = (
        link is not None
        and link.used_at is None
        and stage.status == StageStatus.PENDING
        and stage.assignee_id == link.approver_id == asked.asked_by
    )
    approval_url = links.url_for(link) if live and link is not None else None
    notice = _approver_notice(
        session,
        EventType.REQUEST_INFO_PROVIDED,
        "request_info_provided",
        stage,
        asked.asked_by,
        app_url(f"/inbox/{stage.request_id}"),
        questions=asked.questions,
        answer=asked.answer,
        changes=[
            (AMENDED_FIELDS.get(field, field), f"from {change['before']} to {change['after']}")
            for field, change in (asked.amendments or {}).items()
        ],
        outcome=asked.outcome,
        approval_url=approval_url,
        link_expires_at=link.expires_at if live and link is not None else None,
    )
    return replace(
        notice,
        data={**notice.data, "outcome": asked.outcome, "amended": sorted(asked.amendments or {})},
        secret_url=approval_url,
    )


def _absence_set(session: Session, event: AbsenceEvent) -> Notice | None:
    """To the delegate: whose stages they will hold, and when."""
    absence = session.get(Absence, event.absence_id)
    if absence is None or absence.cancelled_at is not None:
        return None  # cancelled before we got here: nothing to hold
    absent = session.get(User, absence.user_id)
    delegate = session.get(User, absence.delegate_id)
    assert absent is not None and delegate is not None  # foreign keys
    page = app_url("/inbox")
    return Notice(
        event_type=EventType.ABSENCE_SET,
        template="absence_delegate",
        recipient=_recipient(delegate),
        page_url=page,
        context={
            "absent_name": absent.full_name,
            "starts_at": absence.starts_at,
            "ends_at": absence.ends_at,
        },
        data={
            "absence_id": str(absence.id),
            "starts_at": absence.starts_at.isoformat(),
            "ends_at": absence.ends_at.isoformat(),
            "url": page,
        },
    )


def _review_assigned(session: Session, event: ReviewEvent) -> Notice | None:
    found = session.get(DeclineReview, event.review_id)
    if found is None or found.reviewer_id is None or found.decided_at is not None:
        return None  # decided before we got here: nothing to ask of anyone
    request = session.get(CreditRequest, found.request_id)
    reviewer = session.get(User, found.reviewer_id)
    assert request is not None and reviewer is not None  # foreign keys
    applicant = session.get(User, request.applicant_id)
    assert applicant is not None  # foreign key
    facts = _request_facts(request)
    page = app_url(f"/reviews/{found.id}")
    return Notice(
        event_type=EventType.REVIEW_ASSIGNED,
        template="review_assigned",
        recipient=_recipient(reviewer),
        page_url=page,
        context={
            "request": replace(facts, reasons=[r["message"] for r in found.original["reasons"]]),
            "applicant_name": applicant.full_name,
            "due_at": found.due_at,
            "corrected": bool(found.corrected_data),
        },
        data={**_request_data(facts), "review_id": str(found.id), "url": page},
        request_id=request.id,
    )
