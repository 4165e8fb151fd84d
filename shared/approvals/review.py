"""Human review of an automatic decline (GDPR Art. 22(3), CJEU C-203/22, Directive (EU)
2023/2225): within REVIEW_WINDOW of the decline its applicant may ask a person to review it,
with a statement and optionally corrected financial data. An analyst who took no part in the
request reviews it with the decline as it was, and confirms it (a human decline now, with the
reviewer's rationale) or overturns it (the corrections applied, and the normal approval chain
built, which the reviewer may not then hold a stage of).

Every step is audited on the request's own trail (entity `credit_request`), so the request's
history reads as one story: asked, assigned, confirmed or overturned, refusals included.
"""

import uuid
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from shared.approvals.models import ApprovalStage
from shared.approvals.review_models import DeclineReview, of_request, window_closes_at
from shared.approvals.review_schemas import (
    CorrectedData,
    FieldChange,
    ReviewAsk,
    ReviewDecision,
    ReviewDetail,
    ReviewOut,
    ReviewState,
    ReviewStatus,
)
from shared.approvals.service import absent_at, create_chain
from shared.audit.service import Actor, record, record_refusal
from shared.clock import utcnow
from shared.credit import policy, telemetry
from shared.credit.models import CreditRequest
from shared.credit.schemas import ScoreResultOut
from shared.credit.service import snapshot, visible_request
from shared.credit.service import to_out as request_out
from shared.errors import Conflict, Forbidden, NotFound
from shared.messaging.outbox import add_event
from shared.users.identity import Identity
from shared.users.models import User
from shared.workflow.events import EventType, RequestEvent, ReviewEvent
from shared.workflow.states import RequestStatus, Role, StageStatus, advance_request

REVIEWER_ROLE = Role.ANALYST
"""Who reviews: an analyst, the first level of human credit judgement."""
ROUTER = Actor.system("route_to_approver")
ESCALATOR = Actor.system("escalate")
# The application's fields the decline read, which the reviewer sees as its inputs.
INPUT_FIELDS = (
    "amount",
    "term_months",
    "purpose",
    *CorrectedData.model_fields,
)
MONEY_FIELDS = frozenset({"amount", "monthly_income", "monthly_debt"})


def state_of(review: DeclineReview) -> ReviewState:
    """Where the review is: waiting for a reviewer, with one, or decided either way."""
    if review.outcome == "confirmed":
        return "confirmed"
    if review.outcome == "overturned":
        return "overturned"
    return "in_review" if review.reviewer_id is not None else "awaiting_reviewer"


def to_out(review: DeclineReview) -> ReviewOut:
    """The review as its applicant sees it (the reviewer unnamed)."""
    return ReviewOut(
        id=review.id,
        request_id=review.request_id,
        state=state_of(review),
        requested_at=review.requested_at,
        statement=review.statement,
        corrected_data=review.corrected_data,
        due_at=review.due_at,
        decided_at=review.decided_at,
        outcome=review.outcome,
        rationale=review.rationale,
    )


def status_for(session: Session, viewer: Identity, request_id: uuid.UUID) -> ReviewStatus:
    """Whether the request's applicant may ask for a review now, until when, and the review
    asked for (404 for a request the viewer may not see)."""
    request = visible_request(session, viewer, request_id)
    review = of_request(session, request.id)
    closes = window_closes_at(request)
    return ReviewStatus(
        may_request=review is None and closes is not None and utcnow() < closes,
        window_closes_at=closes,
        review=None if review is None else to_out(review),
    )


def _inputs(request: CreditRequest) -> dict[str, Any]:
    values = {field: getattr(request, field) for field in INPUT_FIELDS}
    return {k: f"{v:.2f}" if isinstance(v, Decimal) else v for k, v in values.items()}


def ask(
    session: Session, applicant: Identity, request_id: uuid.UUID, body: ReviewAsk
) -> DeclineReview:
    """The applicant asks a person to review their automatic decline: only their own request
    (another's is 404), only while it is `auto_rejected` (409 `invalid_transition`) and within
    REVIEW_WINDOW of the decline (409 `review_window_closed`). The decline's inputs, score
    result and reasons are kept with the review; audited; `request.review_requested`."""
    request = visible_request(session, applicant, request_id, lock=True)
    if request.applicant_id != applicant.id:
        raise NotFound("No such credit request.")  # staff never ask on someone's behalf
    closes = window_closes_at(request)
    if closes is not None and utcnow() >= closes:
        record_refusal(
            session,
            Actor.of(applicant),
            "review.request_refused",
            "credit_request",
            request.id,
            "review_window_closed",
        )
        raise Conflict(
            "The 30 days to ask for a human review of this decline have passed.",
            code="review_window_closed",
        )
    before = snapshot(request)
    advance_request(request, RequestStatus.REVIEW_REQUESTED)  # 409 unless auto_rejected
    review = DeclineReview(
        request_id=request.id,
        applicant_id=request.applicant_id,
        requested_at=utcnow(),
        statement=body.statement.strip(),
        corrected_data=body.corrected_data.given() if body.corrected_data else None,
        original={
            "inputs": _inputs(request),
            "reasons": list(request.decision_reasons or []),
            "score_result": request.score_result,
            "risk_tier": request.risk_tier,
            "policy_version": request.policy_version,
            "decided_at": request.decided_at.isoformat() if request.decided_at else None,
        },
    )
    session.add(review)
    session.flush()
    record(
        session,
        Actor.of(applicant),
        "review.requested",
        "credit_request",
        request.id,
        before=before,
        after=snapshot(request),
        details={
            "review_id": str(review.id),
            "corrected_fields": sorted(review.corrected_data or {}),
        },
    )
    add_event(session, EventType.REQUEST_REVIEW_REQUESTED, RequestEvent(request_id=request.id))
    return review


def _pick_reviewer(session: Session, request: CreditRequest) -> User | None:
    """The active analyst with the fewest open reviews and pending stages, who is not the
    applicant, took no part in the request (held or decided any of its stages), and is not
    out of office."""
    held = select(ApprovalStage.assignee_id).where(
        ApprovalStage.request_id == request.id, ApprovalStage.assignee_id.is_not(None)
    )
    decided = select(ApprovalStage.decided_by).where(
        ApprovalStage.request_id == request.id, ApprovalStage.decided_by.is_not(None)
    )
    stages = (
        select(func.count(ApprovalStage.id))
        .where(ApprovalStage.assignee_id == User.id, ApprovalStage.status == StageStatus.PENDING)
        .scalar_subquery()
    )
    reviews = (
        select(func.count(DeclineReview.id))
        .where(DeclineReview.reviewer_id == User.id, DeclineReview.decided_at.is_(None))
        .scalar_subquery()
    )
    return session.scalars(
        select(User)
        .where(
            User.role == REVIEWER_ROLE,
            User.is_active.is_(True),
            User.id != request.applicant_id,
            User.id.not_in(held),
            User.id.not_in(decided),
            User.id.not_in(absent_at(utcnow())),
        )
        .order_by(stages + reviews, User.username)
        .limit(1)
    ).first()


def _assign(session: Session, review: DeclineReview, actor: Actor) -> User | None:
    request = session.get(CreditRequest, review.request_id)
    assert request is not None  # foreign key
    reviewer = _pick_reviewer(session, request)
    if reviewer is None:
        record(
            session,
            actor,
            "review.assignment_failed",
            "credit_request",
            request.id,
            details={"review_id": str(review.id), "reason": "no eligible reviewer"},
        )
        return None
    now = utcnow()
    previous = review.reviewer_id
    review.reviewer_id, review.assigned_at = reviewer.id, now
    review.due_at = now + timedelta(hours=policy.active(session).policy.sla_hours(REVIEWER_ROLE))
    record(
        session,
        actor,
        "review.assigned",
        "credit_request",
        request.id,
        before={"reviewer_id": str(previous) if previous else None},
        after={"reviewer_id": str(reviewer.id), "due_at": review.due_at.isoformat()},
        details={"review_id": str(review.id)},
    )
    add_event(
        session, EventType.REVIEW_ASSIGNED, ReviewEvent(request_id=request.id, review_id=review.id)
    )
    return reviewer


def assign_reviewer(session: Session, request_id: uuid.UUID, actor: Actor = ROUTER) -> None:
    """Give the request's review to an eligible analyst (`_pick_reviewer`), due in the
    policy's analyst SLA, audited, with `review.assigned`; audited as
    `review.assignment_failed` when nobody is eligible (escalate retries). A review already
    assigned or decided is left alone, so a redelivered event changes nothing."""
    review = session.scalar(
        select(DeclineReview).where(DeclineReview.request_id == request_id).with_for_update()
    )
    if review is None or review.reviewer_id is not None or review.decided_at is not None:
        return
    _assign(session, review, actor)


def retry_unassigned(session: Session) -> int:
    """The escalate step's part: assign the open reviews nobody was eligible for, and those
    whose reviewer may no longer review (deactivated, or no longer an analyst); how many now
    have a reviewer."""
    stranded = session.scalars(
        select(DeclineReview)
        .outerjoin(User, User.id == DeclineReview.reviewer_id)
        .where(
            DeclineReview.decided_at.is_(None),
            or_(
                DeclineReview.reviewer_id.is_(None),
                User.is_active.is_(False),
                User.role != REVIEWER_ROLE,
            ),
        )
        .order_by(DeclineReview.requested_at)
        .with_for_update(of=DeclineReview, skip_locked=True)
    ).all()
    return sum(_assign(session, review, ESCALATOR) is not None for review in stranded)


@dataclass(frozen=True)
class Reviewed:
    review: DeclineReview
    request: CreditRequest
    applicant: User


def for_reviewer(
    session: Session, viewer: Identity, review_id: uuid.UUID, *, lock: bool = False
) -> Reviewed:
    """The review with its request, for its reviewer (and any admin, who oversees them):
    404 when there is no such review, 403 `not_reviewer` (audited) for anyone else."""
    review = session.get(DeclineReview, review_id)
    if review is None:
        raise NotFound("No such review.")
    # Lock the request before the review, as `ask` does, so the two never deadlock.
    request = session.get(CreditRequest, review.request_id, with_for_update=lock)
    assert request is not None  # foreign key
    if lock:
        session.refresh(review, with_for_update=True)
    if review.reviewer_id != viewer.id and (lock or viewer.role != Role.ADMIN):
        record_refusal(
            session,
            Actor.of(viewer),
            "review.decision_refused" if lock else "review.view_refused",
            "credit_request",
            request.id,
            "not_reviewer",
            review_id=str(review.id),
        )
        raise Forbidden("This review is not assigned to you.", code="not_reviewer")
    applicant = session.get(User, request.applicant_id)
    assert applicant is not None  # foreign key
    return Reviewed(review, request, applicant)


def _apply_corrections(
    session: Session, reviewer: Identity, review: DeclineReview, request: CreditRequest
) -> None:
    corrected = review.corrected_data or {}
    changed = {f: v for f, v in corrected.items() if _inputs(request).get(f) != v}
    if not changed:
        return
    before = {f: _inputs(request)[f] for f in changed}
    for field, value in changed.items():
        setattr(request, field, Decimal(value) if field in MONEY_FIELDS else value)
    record(
        session,
        Actor.of(reviewer),
        "credit_request.corrected",
        "credit_request",
        request.id,
        before=before,
        after=changed,
        details={"review_id": str(review.id)},
    )


def decide(
    session: Session, reviewer: Identity, review_id: uuid.UUID, body: ReviewDecision
) -> CreditRequest:
    """The reviewer's outcome, by the assigned reviewer only (403 `not_reviewer`, audited),
    once (409 `review_decided`). Confirmed: the request is `rejected`, a human decision now,
    with the original reasons and the reviewer's rationale, with `request.rejected`.
    Overturned: the corrected data applied (audited before and after), the request
    `pending_approval` with the policy's chain, with `request.pending_approval` so
    route_to_approver assigns its first stage (never to the reviewer)."""
    found = for_reviewer(session, reviewer, review_id, lock=True)
    review, request = found.review, found.request
    if review.decided_at is not None:
        raise Conflict("This review has already been decided.", code="review_decided")
    before = snapshot(request)
    now = utcnow()
    overturned = body.outcome == "overturned"
    if overturned:
        _apply_corrections(session, reviewer, review, request)
        advance_request(request, RequestStatus.PENDING_APPROVAL)
        request.decided_at = None
        request.decision_reasons = []  # the decline's reasons stay in review.original
        create_chain(session, request, Actor.of(reviewer))
        add_event(session, EventType.REQUEST_PENDING_APPROVAL, RequestEvent(request_id=request.id))
    else:
        advance_request(request, RequestStatus.REJECTED)
        request.decided_at = now
        add_event(session, EventType.REQUEST_REJECTED, RequestEvent(request_id=request.id))
    review.decided_at, review.outcome = now, body.outcome
    review.rationale = body.rationale.strip()
    telemetry.decided(session, request, request.status, level=None)
    record(
        session,
        Actor.of(reviewer),
        "review.overturned" if overturned else "review.confirmed",
        "credit_request",
        request.id,
        before=before,
        after=snapshot(request),
        details={"review_id": str(review.id)},
    )
    return request


def assigned_to(
    session: Session, reviewer: Identity
) -> list[tuple[DeclineReview, CreditRequest, str]]:
    """The reviews awaiting this reviewer's outcome, soonest due first, each with its request
    and the applicant's name. Few at a time (one per declined request asked about), so one
    page."""
    rows = session.execute(
        select(DeclineReview, CreditRequest, User.full_name)
        .join(CreditRequest, CreditRequest.id == DeclineReview.request_id)
        .join(User, User.id == CreditRequest.applicant_id)
        .where(DeclineReview.reviewer_id == reviewer.id, DeclineReview.decided_at.is_(None))
        .order_by(DeclineReview.due_at, DeclineReview.id)
    )
    return [(review, request, name) for review, request, name in rows]


def detail_of(session: Session, found: Reviewed) -> ReviewDetail:
    """The review as its reviewer sees it: the decline as it was (inputs, score result with
    the bureau report, reasons), the statement, and each corrected field beside its original."""
    review, original = found.review, found.review.original
    inputs = original["inputs"]
    reviewer = session.get(User, review.reviewer_id) if review.reviewer_id else None
    return ReviewDetail(
        **to_out(review).model_dump(),
        reviewer=reviewer.username if reviewer else None,
        applicant_name=found.applicant.full_name,
        request=request_out(found.request),
        original_inputs=inputs,
        original_reasons=original["reasons"],
        original_score_result=(
            ScoreResultOut.model_validate(original["score_result"])
            if original["score_result"]
            else None
        ),
        changes=[
            FieldChange(field=field, original=inputs.get(field), corrected=value)
            for field, value in (review.corrected_data or {}).items()
            if inputs.get(field) != value
        ],
    )
