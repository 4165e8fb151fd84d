"""Request more information: the current approver returns the request to the applicant with
questions, the applicant answers (possibly amending it), and the request resumes; or nobody
answers in time and it closes as `incomplete` (Reg B: a notice of incompleteness).

Rules:

- Asking: only the current stage's assignee, with the same segregation of duties as a
  decision (refusals audited as `stage.info_request_refused`, 403). The request and the stage
  become `info_requested`; the stage's SLA pauses (its `due_at` moves later, on resume, by the
  time it waited); the approver's live decision links are spent (a fresh one comes with the
  "answered" email). Escalation ignores paused stages (it only looks at `pending` ones).
- While `info_requested` the approver may still reject (the normal decision), the applicant
  may withdraw, and only the applicant answers (409 `invalid_transition` in any other state).
- Answering without amendments (or with values equal to the current ones) resumes the stage:
  same assignee if they may still decide it, else the normal assignment.
- Answering with amendments re-runs the automatic analysis with the policy in force
  (`shared.credit.service.rescore`):
    * declined: the request is `auto_rejected` (its open stages cancelled, the declined
      reasons stored as for any automatic decline, `request.auto_rejected`);
    * passed, and the policy's chain for the amended request is the same list of roles as the
      current round's: resume as above; the stages already approved stay approved;
    * passed with another chain (amount band or risk tier changed): the approvals given no
      longer cover the terms, so the current round's open stages are cancelled and a new
      round (`approval_stages.round` + 1) is built from level 1 and assigned. Segregation of
      duties spans rounds: nobody holds or decides two stages of one request, in any round.
- Unanswered by `due_at` (30 days after asking): closed by the escalate step as `incomplete`
  (`close_unanswered`), the request's open stages cancelled, `request.incomplete`.
"""

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from shared.approvals import delegation, links
from shared.approvals.chain import approval_chain
from shared.approvals.information_rounds import open_round
from shared.approvals.models import ApprovalLink, ApprovalStage, InformationRequest
from shared.approvals.schemas import (
    DecidedVia,
    InformationAnswer,
    InformationOutcome,
    InformationQuestions,
    InformationRequestOut,
)
from shared.approvals.service import (
    ESCALATOR,
    _refusal,
    _stages,
    assign,
    create_chain,
    may_take,
)
from shared.approvals.stages import cancel_stage
from shared.approvals.timeline import first_name
from shared.audit.service import Actor, record, record_refusal
from shared.clock import utcnow
from shared.credit import policy, telemetry
from shared.credit.models import CreditRequest
from shared.credit.service import rescore, snapshot, visible_request
from shared.errors import Conflict, Forbidden, NotFound
from shared.messaging.outbox import add_event
from shared.users.identity import Identity
from shared.users.models import User
from shared.workflow.events import EventType, RequestEvent
from shared.workflow.states import (
    RequestStatus,
    RiskTier,
    Role,
    StageStatus,
    advance_request,
    advance_stage,
)

ANSWER_WINDOW = timedelta(days=30)
"""How long the applicant has to answer before the request closes as incomplete."""

AMENDABLE = (
    "amount",
    "term_months",
    "purpose",
    "monthly_income",
    "monthly_debt",
    "employment_status",
)


def ask(
    session: Session,
    actor: Identity,
    request_id: uuid.UUID,
    body: InformationQuestions,
    *,
    via: DecidedVia,
    link: ApprovalLink | None = None,
) -> InformationRequest:
    """The current stage's assignee returns the request to the applicant with questions:
    request and stage `info_requested`, the SLA paused, `request.info_requested` (which emails
    the applicant). 403 as for a decision; 409 `invalid_transition` unless pending approval."""
    request = session.get(CreditRequest, request_id, with_for_update=True)
    if request is None:
        raise NotFound("No such credit request.")
    stage = session.scalars(
        select(ApprovalStage)
        .where(
            ApprovalStage.request_id == request.id,
            ApprovalStage.status.in_([StageStatus.PENDING, StageStatus.INFO_REQUESTED]),
        )
        .with_for_update()
    ).first()
    if stage is None:
        advance_request(request, RequestStatus.INFO_REQUESTED)  # 409 invalid_transition
        raise Conflict("This request has no stage awaiting a decision.", code="no_pending_stage")
    refusal = _refusal(session, actor, stage, request)
    if refusal is not None:
        record_refusal(
            session,
            Actor.of(actor),
            "stage.info_request_refused",
            "approval_stage",
            stage.id,
            refusal.code,
        )
        raise Forbidden(refusal.message, code=refusal.code)
    before = snapshot(request)
    advance_request(request, RequestStatus.INFO_REQUESTED)
    advance_stage(stage, StageStatus.INFO_REQUESTED)
    now = utcnow()
    asked = InformationRequest(
        request_id=request.id,
        stage_id=stage.id,
        asked_by=actor.id,
        asked_via=via,
        questions=body.questions.strip(),
        asked_at=now,
        due_at=now + ANSWER_WINDOW,
    )
    session.add(asked)
    # The decision links die while the stage waits: none may decide what the answer may change.
    session.execute(
        update(ApprovalLink)
        .where(ApprovalLink.stage_id == stage.id, ApprovalLink.used_at.is_(None))
        .values(used_at=now)
    )
    if link is not None:
        link.used_at = now
    session.flush()
    record(
        session,
        Actor.of(actor),
        "stage.info_requested",
        "approval_stage",
        stage.id,
        before={"request": before, "stage_status": StageStatus.PENDING.value},
        after={"request": snapshot(request), "stage_status": stage.status},
        details={
            "request_id": str(request.id),
            "information_request_id": str(asked.id),
            "level": stage.level,
            "via": via,
            "due_at": asked.due_at.isoformat(),
        },
    )
    add_event(session, EventType.REQUEST_INFO_REQUESTED, RequestEvent(request_id=request.id))
    return asked


def amendments_of(request: CreditRequest, answer: InformationAnswer) -> dict[str, dict[str, str]]:
    """The fields the answer changes, each {"before", "after"} as the API writes values;
    a field given with its current value is no amendment."""
    if answer.amendments is None:
        return {}
    given = answer.amendments.model_dump(exclude_none=True)
    changed = {}
    for field in AMENDABLE:
        if field not in given:
            continue
        old, new = getattr(request, field), given[field]
        if old != new:
            changed[field] = {"before": _shown(old), "after": _shown(new)}
    return changed


def _shown(value: object) -> str:
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    return str(getattr(value, "value", value))


def _figures(request: CreditRequest) -> dict[str, str]:
    # The amendable figures for the audit trail; not the purpose, free text the applicant
    # wrote (its change shows in `amended`, its words stay in the request's own row).
    return {f: _shown(getattr(request, f)) for f in AMENDABLE if f != "purpose"}


def same_chain(current: list[str], amended: list[str]) -> bool:
    """Whether the approvals given still cover the amended request: the policy gives the same
    roles, in the same order, as the chain being decided."""
    return current == amended


def resumed_due_at(due_at: datetime | None, asked_at: datetime, now: datetime) -> datetime | None:
    """The stage's new due time: later by the time it waited on the applicant, so the
    approver keeps the time they had left when they asked."""
    if due_at is None:
        return None
    return due_at + max(now - asked_at, timedelta(0))


@dataclass(frozen=True)
class Answered:
    request: CreditRequest
    outcome: InformationOutcome


def answer(
    session: Session, applicant: Identity, request_id: uuid.UUID, body: InformationAnswer
) -> Answered:
    """The applicant answers the open round, possibly amending the request; the request
    resumes, is re-chained or is declined (see the module's rules), with
    `request.info_provided`. 404 for another's request, 409 `invalid_transition` unless the
    request awaits the applicant's answer."""
    request = visible_request(session, applicant, request_id, lock=True)
    if request.applicant_id != applicant.id:  # staff see the request, but only its owner answers
        raise NotFound("No such credit request.")
    asked = open_round(session, request.id)
    if request.status != RequestStatus.INFO_REQUESTED or asked is None:
        raise Conflict(
            f"A request that is {request.status} awaits no answer.",
            code="invalid_transition",
            details={"status": request.status, "requested": RequestStatus.PENDING_APPROVAL.value},
        )
    stage = session.get(ApprovalStage, asked.stage_id, with_for_update=True)
    assert stage is not None  # foreign key
    now = utcnow()
    before = {**snapshot(request), **_figures(request)}
    changed = amendments_of(request, body)
    assert body.amendments is not None or not changed
    for field in changed:
        setattr(request, field, getattr(body.amendments, field))
    asked.answer, asked.answered_at, asked.answered_by = body.answer.strip(), now, applicant.id
    asked.amendments = changed
    record(
        session,
        Actor.of(applicant),
        "credit_request.info_provided",
        "credit_request",
        request.id,
        before=before,
        after={**snapshot(request), **_figures(request)},
        details={"information_request_id": str(asked.id), "amended": sorted(changed)},
    )
    if not changed:
        advance_request(request, RequestStatus.PENDING_APPROVAL)
        outcome = _resume(session, request, stage, asked, now, Actor.of(applicant))
    else:
        outcome = _rescored(session, request, stage, asked, now, Actor.of(applicant))
    asked.outcome, asked.closed_at = outcome, now
    add_event(session, EventType.REQUEST_INFO_PROVIDED, RequestEvent(request_id=request.id))
    return Answered(request, outcome)


def _rescored(
    session: Session,
    request: CreditRequest,
    stage: ApprovalStage,
    asked: InformationRequest,
    now: datetime,
    actor: Actor,
) -> InformationOutcome:
    result = rescore(session, request)  # moves the request to its outcome
    rounds = [s for s in _stages(session, request.id) if s.round == stage.round]
    if result.outcome == RequestStatus.AUTO_REJECTED:
        for open_stage in rounds:
            if open_stage.status in (StageStatus.WAITING, StageStatus.INFO_REQUESTED):
                cancel_stage(session, open_stage, "rejected")
        telemetry.decided(session, request, result.outcome.value, level=None)
        add_event(session, EventType.REQUEST_AUTO_REJECTED, RequestEvent(request_id=request.id))
        return "auto_rejected"
    amended_chain = approval_chain(
        policy.active(session).policy,
        request.amount,
        RiskTier(request.risk_tier or RiskTier.MEDIUM),
    )
    if same_chain([s.role for s in rounds], amended_chain):
        return _resume(session, request, stage, asked, now, actor)
    for open_stage in rounds:
        if open_stage.status in (StageStatus.WAITING, StageStatus.INFO_REQUESTED):
            cancel_stage(session, open_stage, "rejected")
    scorer = Actor.system("score")
    fresh = create_chain(session, request, scorer)  # round `stage.round` + 1
    assign(session, request, fresh[0], actor=scorer)
    return "rechained"


def _resume(
    session: Session,
    request: CreditRequest,
    stage: ApprovalStage,
    asked: InformationRequest,
    now: datetime,
    actor: Actor,
) -> InformationOutcome:
    """Back to the paused stage: its due time moved by the pause, with its assignee and a
    fresh link if they may still decide it; held for them by their delegate if they are out
    of office (a paused stage stays with them when their absence starts); else to whoever
    the normal assignment picks."""
    advance_stage(stage, StageStatus.PENDING)
    before_due = stage.due_at
    stage.due_at = resumed_due_at(stage.due_at, asked.asked_at, now)
    holder = session.get(User, stage.assignee_id) if stage.assignee_id else None
    away = delegation.absence_now(session, holder.id, now) if holder is not None else None
    if holder is not None and away is not None:
        delegate = session.get(User, away.delegate_id)
        assert delegate is not None  # foreign key
        delegation.hold_for(session, away, delegate, request, stage, now)
    elif holder is not None and may_take(session, request, stage, holder, now):
        link = links.create(session, stage, holder.id)
        asked.resume_link_id = link.id
        record(
            session,
            actor,
            "stage.resumed",
            "approval_stage",
            stage.id,
            before={"due_at": before_due.isoformat() if before_due else None},
            after={"due_at": stage.due_at.isoformat() if stage.due_at else None},
            details={"request_id": str(request.id), "assignee_id": str(holder.id)},
        )
    else:
        assign(session, request, stage, actor=actor)
    return "resumed"


def close_unanswered(session: Session, now: datetime | None = None) -> int:
    """Close as `incomplete` every request whose round went unanswered past its due time
    (run by the escalate step): the request decided, its open stages cancelled, audited,
    `request.incomplete`. Idempotent; rows other steps hold locked wait for the next run."""
    now = now or utcnow()
    rows = session.execute(
        select(InformationRequest, CreditRequest)
        .join(CreditRequest, CreditRequest.id == InformationRequest.request_id)
        .where(
            InformationRequest.closed_at.is_(None),
            InformationRequest.answered_at.is_(None),
            InformationRequest.due_at <= now,
            CreditRequest.status == RequestStatus.INFO_REQUESTED,
        )
        .order_by(InformationRequest.due_at)
        .with_for_update(skip_locked=True)
    ).all()
    for asked, request in rows:
        before = snapshot(request)
        advance_request(request, RequestStatus.INCOMPLETE)
        request.decided_at = now
        for stage in _stages(session, request.id):
            if stage.status in (StageStatus.WAITING, StageStatus.INFO_REQUESTED):
                cancel_stage(session, stage, "rejected")
        asked.outcome, asked.closed_at = "incomplete", now
        record(
            session,
            ESCALATOR,
            "credit_request.incomplete",
            "credit_request",
            request.id,
            before=before,
            after=snapshot(request),
            details={"information_request_id": str(asked.id), "due_at": asked.due_at.isoformat()},
        )
        telemetry.decided(session, request, RequestStatus.INCOMPLETE.value, level=None)
        add_event(session, EventType.REQUEST_INCOMPLETE, RequestEvent(request_id=request.id))
    return len(rows)


def rounds_for(
    session: Session, viewer: Identity, request_id: uuid.UUID
) -> list[InformationRequestOut]:
    """A request's rounds of questions and answers, oldest first. Staff see the asker's
    username; the applicant a first name only."""
    rows = session.execute(
        select(InformationRequest, ApprovalStage, User.username, User.full_name)
        .join(ApprovalStage, ApprovalStage.id == InformationRequest.stage_id)
        .join(User, User.id == InformationRequest.asked_by)
        .where(InformationRequest.request_id == request_id)
        .order_by(InformationRequest.asked_at, InformationRequest.id)
    ).all()
    staff = viewer.role != Role.APPLICANT
    return [
        InformationRequestOut(
            id=asked.id,
            stage_id=stage.id,
            level=stage.level,
            role=stage.role,
            asked_by=username if staff else None,
            asked_by_first_name=first_name(full_name),
            asked_via=asked.asked_via,
            questions=asked.questions,
            asked_at=asked.asked_at,
            due_at=asked.due_at,
            answered_at=asked.answered_at,
            answer=asked.answer,
            amendments=asked.amendments or {},
            outcome=asked.outcome,
            closed_at=asked.closed_at,
        )
        for asked, stage, username, full_name in rows
    ]
