"""Credit requests: submission, scoring, reading and withdrawal."""

import math
import uuid
from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy import Select, func, select, tuple_
from sqlalchemy.orm import Session, aliased

from shared.approvals.models import ApprovalStage
from shared.approvals.stages import cancel_stage
from shared.audit.service import Actor, record, record_refusal
from shared.clock import utcnow
from shared.config import get_settings
from shared.credit import pagination, policy
from shared.credit.bureau import get_bureau
from shared.credit.models import CreditRequest
from shared.credit.schemas import (
    CreditRequestCreate,
    CreditRequestDetail,
    CreditRequestOut,
    RequestFilters,
    ScoreResultOut,
    StageOut,
)
from shared.credit.scoring import Application, evaluate
from shared.credit.stats import has_timed_stage
from shared.errors import NotFound, TooManyRequests
from shared.messaging.outbox import add_event
from shared.users.models import User
from shared.workflow import telemetry
from shared.workflow.events import EventType, RequestEvent
from shared.workflow.states import (
    RequestStatus,
    Role,
    StageStatus,
    advance_request,
)


def _actor(user: User) -> Actor:
    return Actor(user.username, user.id)


def snapshot(request: CreditRequest) -> dict[str, object]:
    return {"status": request.status, "risk_tier": request.risk_tier}


SUBMISSION_WINDOW = timedelta(hours=1)


def _check_submission_rate(session: Session, applicant: User) -> None:
    """At most SUBMISSIONS_PER_HOUR requests per applicant in any hour (withdrawn ones count)."""
    # Serialise one applicant's submissions so two at once cannot both pass the count.
    # NO KEY UPDATE: other transactions may still insert rows that reference the user.
    session.execute(select(User.id).where(User.id == applicant.id).with_for_update(key_share=True))
    now = session.execute(select(func.now())).scalar_one()  # the clock of created_at
    recent = session.scalars(
        select(CreditRequest.created_at)
        .where(
            CreditRequest.applicant_id == applicant.id,
            CreditRequest.created_at > now - SUBMISSION_WINDOW,
        )
        .order_by(CreditRequest.created_at)
    ).all()
    limit = get_settings().submissions_per_hour
    if len(recent) < limit:
        return
    # The request whose leaving the window brings the count under the limit.
    frees_at = recent[len(recent) - limit] + SUBMISSION_WINDOW
    retry_after = max(1, math.ceil((frees_at - now).total_seconds()))
    record_refusal(_actor(applicant), "credit_request.rate_limited", "user", applicant.id, "rate")
    raise TooManyRequests(
        f"You can file at most {limit} credit requests per hour. Try again later.",
        retry_after=retry_after,
        code="submission_rate_limited",
    )


def submit(session: Session, applicant: User, data: CreditRequestCreate) -> CreditRequest:
    _check_submission_rate(session, applicant)
    request = CreditRequest(applicant_id=applicant.id, **data.model_dump())
    session.add(request)
    session.flush()
    record(
        session,
        _actor(applicant),
        "credit_request.created",
        "credit_request",
        request.id,
        after={**snapshot(request), "amount": str(request.amount)},
    )
    add_event(session, EventType.REQUEST_SUBMITTED, RequestEvent(request_id=request.id))
    telemetry.submitted(session, request)
    return request


def score(session: Session, request_id: uuid.UUID) -> None:
    """The automatic analysis of a submitted request (the score step)."""
    request = session.get(CreditRequest, request_id, with_for_update=True)
    if request is None or request.status != RequestStatus.SUBMITTED:
        return  # withdrawn before it was scored: nothing left to do
    report = get_bureau().fetch_report(request)
    result = evaluate(
        policy.load(session),
        Application(
            request.amount, request.term_months, request.monthly_income, request.monthly_debt
        ),
        report,
    )
    before = snapshot(request)
    advance_request(request, result.outcome)
    request.risk_tier = result.risk_tier.value if result.risk_tier else None
    request.decision_reasons = result.reasons
    request.score_result = {
        "installment": str(result.installment),
        "debt_to_income": None if result.debt_to_income is None else str(result.debt_to_income),
        "bureau_report": report.model_dump(),
    }
    if result.outcome == RequestStatus.AUTO_REJECTED:
        request.decided_at = utcnow()
    record(
        session,
        Actor.system("score"),
        "credit_request.scored",
        "credit_request",
        request.id,
        before=before,
        after={**snapshot(request), "reasons": [r["code"] for r in result.reasons]},
    )
    event = (
        EventType.REQUEST_AUTO_REJECTED
        if result.outcome == RequestStatus.AUTO_REJECTED
        else EventType.REQUEST_PENDING_APPROVAL
    )
    telemetry.decided(session, request, result.outcome.value, level=None)
    add_event(session, event, RequestEvent(request_id=request.id))


def visible_request(
    session: Session, viewer: User, request_id: uuid.UUID, *, lock: bool = False
) -> CreditRequest:
    """The request if the viewer may see it. Applicants see only their own, and another's
    request answers exactly like a missing one, so its existence is not revealed."""
    request = session.get(CreditRequest, request_id, with_for_update=lock)
    if request is None or (viewer.role == Role.APPLICANT and request.applicant_id != viewer.id):
        raise NotFound("No such credit request.")
    return request


def withdraw(session: Session, applicant: User, request_id: uuid.UUID) -> CreditRequest:
    request = visible_request(session, applicant, request_id, lock=True)
    before = snapshot(request)
    advance_request(request, RequestStatus.WITHDRAWN)
    request.decided_at = utcnow()
    for stage in session.scalars(
        select(ApprovalStage).where(
            ApprovalStage.request_id == request.id,
            ApprovalStage.status.in_([StageStatus.WAITING, StageStatus.PENDING]),
        )
    ):
        cancel_stage(session, stage, "withdrawn")
    record(
        session,
        _actor(applicant),
        "credit_request.withdrawn",
        "credit_request",
        request.id,
        before=before,
        after=snapshot(request),
    )
    add_event(session, EventType.REQUEST_WITHDRAWN, RequestEvent(request_id=request.id))
    return request


def list_requests(
    session: Session, viewer: User, filters: RequestFilters
) -> tuple[Sequence[CreditRequest], str | None]:
    query: Select[CreditRequest] = select(CreditRequest)
    if viewer.role == Role.APPLICANT:
        query = query.where(CreditRequest.applicant_id == viewer.id)
    elif filters.applicant_id is not None:
        query = query.where(CreditRequest.applicant_id == filters.applicant_id)
    if filters.status:
        query = query.where(CreditRequest.status.in_([s.value for s in filters.status]))
    if filters.created_from is not None:
        query = query.where(CreditRequest.created_at >= filters.created_from)
    if filters.created_to is not None:
        query = query.where(CreditRequest.created_at < filters.created_to)
    if filters.amount_min is not None:
        query = query.where(CreditRequest.amount >= filters.amount_min)
    if filters.amount_max is not None:
        query = query.where(CreditRequest.amount <= filters.amount_max)
    if filters.assigned_to == "me":
        query = query.where(
            select(ApprovalStage.id)
            .where(
                ApprovalStage.request_id == CreditRequest.id,
                ApprovalStage.assignee_id == viewer.id,
                ApprovalStage.status == StageStatus.PENDING,
            )
            .exists()
        )
    if filters.stage_role is not None:
        query = query.where(has_timed_stage(filters.stage_role))

    column = (
        CreditRequest.amount if filters.sort.lstrip("-") == "amount" else CreditRequest.created_at
    )
    descending = filters.sort.startswith("-")
    if filters.cursor:
        value, last_id = pagination.decode(filters.cursor, filters.sort)
        key = tuple_(column, CreditRequest.id)
        query = query.where(key < (value, last_id) if descending else key > (value, last_id))
    order = (
        (column.desc(), CreditRequest.id.desc())
        if descending
        else (column.asc(), CreditRequest.id.asc())
    )
    rows = session.scalars(query.order_by(*order).limit(filters.limit + 1)).all()
    page, more = rows[: filters.limit], len(rows) > filters.limit
    next_cursor = None
    if more:
        last = page[-1]
        next_cursor = pagination.encode(
            filters.sort,
            last.amount if column is CreditRequest.amount else last.created_at,
            last.id,
        )
    return page, next_cursor


def to_out(request: CreditRequest) -> CreditRequestOut:
    return CreditRequestOut.model_validate(request, from_attributes=True)


def score_result_out(request: CreditRequest, *, with_bureau: bool) -> ScoreResultOut | None:
    """The stored analysis. The bureau report is the bureau's data, licensed to the lender
    for the decision, so only the people deciding see it; the installment and ratio are
    computed from what the applicant declared, so the applicant sees those too."""
    if request.score_result is None:
        return None
    result = ScoreResultOut.model_validate(request.score_result)
    return result if with_bureau else result.model_copy(update={"bureau_report": None})


def to_detail(session: Session, request: CreditRequest, viewer: User) -> CreditRequestDetail:
    assignee, decider = aliased(User), aliased(User)
    rows = session.execute(
        select(ApprovalStage, assignee.username, decider.username)
        .outerjoin(assignee, assignee.id == ApprovalStage.assignee_id)
        .outerjoin(decider, decider.id == ApprovalStage.decided_by)
        .where(ApprovalStage.request_id == request.id)
        .order_by(ApprovalStage.level)
    ).all()
    stages = [
        StageOut(
            id=stage.id,
            level=stage.level,
            role=Role(stage.role),
            status=StageStatus(stage.status),
            assignee=assignee_name,
            decided_by=decider_name,
            decided_at=stage.decided_at,
            comment=stage.comment,
            due_at=stage.due_at,
        )
        for stage, assignee_name, decider_name in rows
    ]
    return CreditRequestDetail(
        **to_out(request).model_dump(),
        stages=stages,
        score_result=score_result_out(request, with_bureau=viewer.role != Role.APPLICANT),
    )
