"""Human approval: building the chain, assigning stages, deciding, withdrawing, escalating.

Segregation of duties is enforced here, for every path (inbox, request page, email link):
nobody decides on their own request, only the current stage's assignee decides it, and
nobody decides two stages of one request. Each refusal is audited.
"""

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.orm import Session

from shared.approvals import information_rounds, links, offers
from shared.approvals.chain import approval_chain
from shared.approvals.models import Absence, ApprovalLink, ApprovalStage
from shared.approvals.review_models import DeclineReview
from shared.approvals.schemas import DecidedVia, Decision
from shared.approvals.stages import cancel_stage, tell_previous_assignee
from shared.audit.service import Actor, record, record_refusal
from shared.clock import utcnow
from shared.credit import policy, telemetry
from shared.credit.models import CreditRequest
from shared.credit.service import score, snapshot, visible_request
from shared.errors import Conflict, Forbidden, NotFound
from shared.messaging.outbox import add_event
from shared.pagination import TIMESTAMP, UUID, Key, Keyset, paginate
from shared.users.identity import Identity
from shared.users.models import User
from shared.workflow.events import EventType, RequestEvent, StageAssignedEvent, StageEvent
from shared.workflow.states import (
    RequestStatus,
    RiskTier,
    StageStatus,
    advance_request,
    advance_stage,
    may_hold,
    next_escalation_role,
)

SCORER = Actor.system("score")
ROUTER = Actor.system("route_to_approver")
ESCALATOR = Actor.system("escalate")


def analyse(session: Session, request_id: uuid.UUID) -> None:
    """The score step: the automatic analysis and, for a request that passes it, its whole
    approval chain in the same transaction, so no request is ever pending approval without
    its stages. Assigning the first stage is route_to_approver's (`assign_next_stage`)."""
    request = score(session, request_id)
    if request is not None and request.status == RequestStatus.PENDING_APPROVAL:
        create_chain(session, request, SCORER)


def assign_next_stage(session: Session, request_id: uuid.UUID) -> None:
    """Build the approval chain on first sight, then assign whichever stage is current and
    unassigned (the route_to_approver step). A request no longer pending is left alone."""
    request = session.get(CreditRequest, request_id, with_for_update=True)
    if request is None or request.status != RequestStatus.PENDING_APPROVAL:
        return  # withdrawn or decided meanwhile
    stages = _stages(session, request.id)
    if not stages:  # scored before chains were built with the score (in flight at a deploy)
        stages = create_chain(session, request, ROUTER)
    current = next((s for s in stages if s.status == StageStatus.PENDING), None)
    if current is not None and current.assignee_id is None:
        assign(session, request, current)


def _stages(session: Session, request_id: uuid.UUID) -> list[ApprovalStage]:
    return list(
        session.scalars(
            select(ApprovalStage)
            .where(ApprovalStage.request_id == request_id)
            .order_by(ApprovalStage.round, ApprovalStage.level)
            .with_for_update()
        )
    )


def create_chain(session: Session, request: CreditRequest, actor: Actor) -> list[ApprovalStage]:
    """The request's approval chain as the policy in force gives it, stage 1 pending, audited:
    for a request that passed scoring, one whose amended terms need another chain, or one
    whose decline a reviewer overturned. It is the request's next round: 1, unless an earlier
    chain stays as history (amended terms; a decline of an amended answer, overturned)."""
    round_ = 1 + (
        session.scalar(
            select(func.max(ApprovalStage.round)).where(ApprovalStage.request_id == request.id)
        )
        or 0
    )
    in_force = policy.active(session)
    roles = approval_chain(
        in_force.policy, request.amount, RiskTier(request.risk_tier or RiskTier.MEDIUM)
    )
    stages = [
        ApprovalStage(
            request_id=request.id,
            round=round_,
            level=level,
            role=role,
            status=(StageStatus.PENDING if level == 1 else StageStatus.WAITING).value,
            policy_version=in_force.version,
        )
        for level, role in enumerate(roles, start=1)
    ]
    session.add_all(stages)
    session.flush()
    record(
        session,
        actor,
        "credit_request.chain_built",
        "credit_request",
        request.id,
        after={"chain": roles, "policy_version": in_force.version, "round": round_},
    )
    return stages


def ladder_of(session: Session, stage: ApprovalStage) -> list[str]:
    """The approver levels of the policy version that built the stage's chain."""
    return policy.at_version(session, stage.policy_version).approver_levels


def _eligible(
    request: CreditRequest, stage: ApprovalStage, now: datetime
) -> list[ColumnElement[bool]]:
    """Who may hold `stage` whatever their role (segregation of duties): an active user who is
    neither the applicant, nor involved in another stage of this request, nor reviewed its
    automatic decline, nor absent now."""
    involved = select(ApprovalStage.assignee_id).where(
        ApprovalStage.request_id == request.id,
        ApprovalStage.id != stage.id,
        ApprovalStage.assignee_id.is_not(None),
    )
    deciders = select(ApprovalStage.decided_by).where(
        ApprovalStage.request_id == request.id, ApprovalStage.decided_by.is_not(None)
    )
    reviewer = select(DeclineReview.reviewer_id).where(
        DeclineReview.request_id == request.id, DeclineReview.reviewer_id.is_not(None)
    )
    return [
        User.is_active.is_(True),
        User.id != request.applicant_id,
        User.id.not_in(involved),
        User.id.not_in(deciders),
        User.id.not_in(reviewer),
        User.id.not_in(absent_at(now)),
    ]


def covering(now: datetime) -> list[ColumnElement[bool]]:
    """An absence that covers `now`: not cancelled, begun, not yet ended."""
    return [Absence.cancelled_at.is_(None), Absence.starts_at <= now, Absence.ends_at > now]


def absent_at(now: datetime) -> Select[uuid.UUID]:
    """The users out of office at `now`: routing and escalation never give them a stage."""
    return select(Absence.user_id).where(*covering(now))


def may_take(
    session: Session, request: CreditRequest, stage: ApprovalStage, user: User, now: datetime
) -> bool:
    """Whether `user` may hold `stage` now: the rules `assign` picks by, for one person
    (a delegate, or someone coming back from an absence)."""
    if not may_hold(user.role, stage.role, ladder_of(session, stage)):
        return False
    return (
        session.scalar(select(User.id).where(User.id == user.id, *_eligible(request, stage, now)))
        is not None
    )


def _pick_approver(
    session: Session, role: str, request: CreditRequest, stage: ApprovalStage, now: datetime
) -> User | None:
    """An eligible user (`_eligible`) of the role with the fewest pending stages, other than
    whoever holds the stage now: handing a stage back to its holder (an administrator's
    overdue stage escalating to administrators) would only be a second reminder, logged as
    an escalation."""
    load = (
        select(func.count(ApprovalStage.id))
        .where(ApprovalStage.assignee_id == User.id, ApprovalStage.status == StageStatus.PENDING)
        .scalar_subquery()
    )
    others = [User.id != stage.assignee_id] if stage.assignee_id is not None else []
    return session.scalars(
        select(User)
        .where(User.role == role, *_eligible(request, stage, now), *others)
        .order_by(load, User.username)
        .limit(1)
    ).first()


def assign(
    session: Session,
    request: CreditRequest,
    stage: ApprovalStage,
    role: str | None = None,
    actor: Actor = ROUTER,
    *,
    now: datetime | None = None,
    on_behalf_of: uuid.UUID | None = None,
) -> User | None:
    """Give the stage to the least-loaded eligible user of `role` (the stage's own unless
    escalating) with a new link, due in the policy's SLA, audited, with `stage.assigned`; None,
    audited as `stage.assignment_failed`, when nobody is eligible. `on_behalf_of`: held for an
    absent user, keeping its due time (see `delegation`)."""
    now = now or utcnow()
    approver = _pick_approver(session, role or stage.role, request, stage, now)
    if approver is None:
        record(
            session,
            actor,
            "stage.assignment_failed",
            "approval_stage",
            stage.id,
            details={"role": role or stage.role, "reason": "no eligible approver"},
        )
        return None
    due_at: datetime | None = None  # an absence does not give the stage a new SLA
    if on_behalf_of is None or stage.due_at is None:
        # The SLA of the version that built the chain, not whichever is active at reassignment.
        in_force = policy.at_version(session, stage.policy_version)
        due_at = utcnow() + timedelta(hours=in_force.sla_hours(stage.role))
    hand_over(session, request, stage, approver, actor, due_at=due_at, on_behalf_of=on_behalf_of)
    return approver


def hand_over(
    session: Session,
    request: CreditRequest,
    stage: ApprovalStage,
    approver: User,
    actor: Actor,
    *,
    due_at: datetime | None,
    on_behalf_of: uuid.UUID | None = None,
) -> None:
    """Give the stage to `approver` (already found eligible), due at `due_at` from now, or,
    for None, keeping its assignment and due times (moved for an absence: escalation measures
    its SLA from them); held for `on_behalf_of` if set: a new link, audited, with
    `stage.assigned` (the approver email); whoever held it before hears their link died
    (`stage.cancelled`, reassigned)."""
    previous = stage.assignee_id
    before = {"assignee_id": str(previous) if previous else None}
    stage.assignee_id = approver.id
    if due_at is not None:
        stage.assigned_at = utcnow()
        stage.due_at = due_at
    stage.reminded_at = None
    stage.on_behalf_of = on_behalf_of
    links.revoke_for(session, stage)
    link = links.create(session, stage, approver.id)
    record(
        session,
        actor,
        "stage.assigned",
        "approval_stage",
        stage.id,
        before=before,
        after={
            "assignee_id": str(approver.id),
            "due_at": stage.due_at.isoformat() if stage.due_at else None,
        },
        details={
            "request_id": str(request.id),
            "level": stage.level,
            **({"on_behalf_of": str(on_behalf_of)} if on_behalf_of else {}),
        },
    )
    add_event(
        session,
        EventType.STAGE_ASSIGNED,
        StageAssignedEvent(request_id=request.id, stage_id=stage.id, link_id=link.id),
    )
    if previous is not None and previous != approver.id:
        tell_previous_assignee(session, stage, previous, "reassigned")


@dataclass(frozen=True)
class Refusal:
    code: str
    message: str


def _refusal(
    session: Session, actor: Identity, stage: ApprovalStage, request: CreditRequest
) -> Refusal | None:
    if request.applicant_id == actor.id:
        return Refusal("own_request", "You cannot decide on your own credit request.")
    if stage.assignee_id != actor.id:
        return Refusal("not_assignee", "This stage is not assigned to you.")
    decided_other = session.scalar(
        select(ApprovalStage.id).where(
            ApprovalStage.request_id == request.id,
            ApprovalStage.id != stage.id,
            ApprovalStage.decided_by == actor.id,
        )
    )
    if decided_other is not None:
        return Refusal("second_stage", "You already decided another stage of this request.")
    if not actor.is_active or not may_hold(actor.role, stage.role, ladder_of(session, stage)):
        # Normally released when the role changed (`release_stages`); this holds even if not.
        return Refusal("not_eligible", "Your role no longer allows you to decide this stage.")
    return None


def trail_entities(session: Session, request_id: uuid.UUID) -> list[tuple[str, str]]:
    """What a request's audit trail is about: the request itself and each of its stages."""
    stage_ids = session.scalars(
        select(ApprovalStage.id).where(ApprovalStage.request_id == request_id)
    )
    return [("credit_request", str(request_id))] + [("approval_stage", str(i)) for i in stage_ids]


def current_stage_id(session: Session, request_id: uuid.UUID) -> uuid.UUID:
    """The stage awaiting a decision on this request, or paused on the applicant's answer
    (which its assignee may still reject); 409 when none is."""
    stage_id = session.scalar(
        select(ApprovalStage.id).where(
            ApprovalStage.request_id == request_id,
            ApprovalStage.status.in_([StageStatus.PENDING, StageStatus.INFO_REQUESTED]),
        )
    )
    if stage_id is None:
        raise Conflict("This request has no stage awaiting a decision.", code="no_pending_stage")
    return stage_id


def decide(
    session: Session,
    actor: Identity,
    stage_id: uuid.UUID,
    decision: Decision,
    *,
    via: DecidedVia,
    link: ApprovalLink | None = None,
) -> CreditRequest:
    """Approve or reject a stage, by its assignee only (segregation of duties: never one's own
    request, never two stages of one request; refusals audited, 403). Approval makes the next
    stage current, or approves the request after the last; a rejection rejects the request
    and cancels the stages left; a counteroffer (the last stage only: `offers`) approves the
    stage and puts other terms to the applicant. `via` says how (app or email link); a link
    used is spent."""
    stage = session.get(ApprovalStage, stage_id)
    if stage is None:
        raise NotFound("No such approval stage.")
    # Lock the request before its stages, in the same order as withdrawal, to avoid deadlock.
    request = session.get(CreditRequest, stage.request_id, with_for_update=True)
    assert request is not None  # foreign key
    session.refresh(stage, with_for_update=True)
    refusal = _refusal(session, actor, stage, request)
    if refusal is not None:
        record_refusal(
            session,
            Actor.of(actor),
            "stage.decision_refused",
            "approval_stage",
            stage.id,
            refusal.code,
        )
        raise Forbidden(refusal.message, code=refusal.code)

    counteroffer = decision.decision == "counteroffer"
    # Checked before anything changes: the last stage only, terms and reasons valid.
    terms = offers.check_terms(session, request, stage, decision) if counteroffer else None
    rejected = decision.decision == "reject"
    reasons = policy.load(session).reasons_for(decision.reason_codes) if rejected else []

    before, stage_before = snapshot(request), stage.status
    now = utcnow()
    # A counteroffer approves the stage: the approver approves, on other terms.
    approved = not rejected
    advance_stage(stage, StageStatus.APPROVED if approved else StageStatus.REJECTED)
    stage.decided_by, stage.decided_at, stage.comment = actor.id, now, decision.comment or None
    stage.decided_via = via
    if link is not None:
        link.used_at = now

    later = [
        s
        for s in _stages(session, request.id)
        if s.level > stage.level and s.status == StageStatus.WAITING
    ]
    details: dict[str, object] = {}
    if approved and later:
        advance_stage(later[0], StageStatus.PENDING)
        add_event(
            session, EventType.STAGE_APPROVED, StageEvent(request_id=request.id, stage_id=stage.id)
        )
    elif terms is not None:  # the last stage: no stage is left to cancel
        offer = offers.make(session, actor, request, stage, terms, decision.comment.strip(), now)
        details = offers.audit_details(offer)
    else:
        advance_request(request, RequestStatus.APPROVED if approved else RequestStatus.REJECTED)
        request.decided_at = now
        information_rounds.close_open(session, request.id, "rejected", now)
        if rejected:
            request.decision_reasons = reasons  # what the adverse action notice quotes
        for waiting in later:
            cancel_stage(session, waiting, "rejected")
        add_event(
            session,
            EventType.REQUEST_APPROVED if approved else EventType.REQUEST_REJECTED,
            RequestEvent(request_id=request.id),
        )
    telemetry.decided(session, request, stage.status, level=stage.level)
    record(
        session,
        Actor.of(actor),
        "stage.counteroffered"
        if counteroffer
        else "stage.approved"
        if approved
        else "stage.rejected",
        "approval_stage",
        stage.id,
        before={"request": before, "stage_status": stage_before},
        after={"request": snapshot(request), "stage_status": stage.status},
        details={
            "request_id": str(request.id),
            "level": stage.level,
            "via": via,
            **details,
            **({"reasons": decision.reason_codes} if rejected else {}),
            **({"on_behalf_of": str(stage.on_behalf_of)} if stage.on_behalf_of else {}),
        },
    )
    return request


def decline_reasons(session: Session) -> list[dict[str, str]]:
    """The active policy's catalogue of reasons an approver may give for a rejection."""
    return [{"code": r.code, "message": r.message} for r in policy.load(session).decline_reasons]


BY_DUE_DATE = Keyset("due_at", (Key(ApprovalStage.due_at, TIMESTAMP), Key(ApprovalStage.id, UUID)))


def pending_for(
    session: Session, user: Identity, cursor: str | None, limit: int
) -> tuple[list[tuple[ApprovalStage, CreditRequest, str]], str | None]:
    """One page of the stages awaiting this user's decision, soonest due first, each with its
    request and the applicant's name."""
    stages: list[ApprovalStage]
    stages, next_cursor = paginate(
        session,
        select(ApprovalStage).where(
            ApprovalStage.assignee_id == user.id, ApprovalStage.status == StageStatus.PENDING
        ),
        BY_DUE_DATE,
        cursor,
        limit,
    )
    requests = {
        r.id: (r, name)
        for r, name in session.execute(
            select(CreditRequest, User.full_name)
            .join(User, User.id == CreditRequest.applicant_id)
            .where(CreditRequest.id.in_([s.request_id for s in stages]))
        )
    }
    return [(stage, *requests[stage.request_id]) for stage in stages], next_cursor


def withdraw(session: Session, applicant: Identity, request_id: uuid.UUID) -> CreditRequest:
    """The applicant withdraws their open request: it ends, its open stages are cancelled
    (their links die with them), audited, with `request.withdrawn`. 409 once it is final."""
    request = visible_request(session, applicant, request_id, lock=True)
    before = snapshot(request)
    advance_request(request, RequestStatus.WITHDRAWN)
    request.decided_at = utcnow()
    for stage in session.scalars(
        select(ApprovalStage).where(
            ApprovalStage.request_id == request.id,
            ApprovalStage.status.in_(
                [StageStatus.WAITING, StageStatus.PENDING, StageStatus.INFO_REQUESTED]
            ),
        )
    ):
        cancel_stage(session, stage, "withdrawn")
    information_rounds.close_open(session, request.id, "withdrawn", request.decided_at)
    record(
        session,
        Actor.of(applicant),
        "credit_request.withdrawn",
        "credit_request",
        request.id,
        before=before,
        after=snapshot(request),
    )
    add_event(session, EventType.REQUEST_WITHDRAWN, RequestEvent(request_id=request.id))
    return request


@dataclass
class EscalationReport:
    reminded: int = 0
    reassigned: int = 0
    assigned: int = 0


def escalate(session: Session, now: datetime | None = None) -> EscalationReport:
    """Remind assignees of overdue stages; reassign stages overdue by a second SLA period to
    the next role up; retry stages nobody could be assigned to."""
    now = now or utcnow()
    report = EscalationReport()
    # Only the stages there is something to do about: unassigned, or past their due time.
    # Reading (and locking) every pending stage each run held up decisions on stages that
    # were nowhere near due, and grew the process with the backlog.
    rows = session.execute(
        select(ApprovalStage, CreditRequest)
        .join(CreditRequest, CreditRequest.id == ApprovalStage.request_id)
        .where(
            ApprovalStage.status == StageStatus.PENDING,
            CreditRequest.status == RequestStatus.PENDING_APPROVAL,
            or_(ApprovalStage.assignee_id.is_(None), ApprovalStage.due_at <= now),
        )
        .order_by(ApprovalStage.due_at)
        .with_for_update(skip_locked=True)
    ).all()
    for stage, request in rows:
        if stage.assignee_id is None:
            if assign(session, request, stage, actor=ESCALATOR, now=now) is not None:
                report.assigned += 1
            continue
        assert stage.due_at is not None
        if now < stage.due_at:
            continue
        # The SLA itself, not due minus assigned: an answer to the approver's questions moves
        # the due time by the pause, and the pause must not count a second time here.
        sla = timedelta(
            hours=policy.at_version(session, stage.policy_version).sla_hours(stage.role)
        )
        if now >= stage.due_at + sla:
            assignee = session.get(User, stage.assignee_id)
            assert assignee is not None
            target = next_escalation_role(assignee.role, ladder_of(session, stage))
            previous = stage.assignee_id
            if assign(session, request, stage, role=target, actor=ESCALATOR, now=now) is not None:
                stage.escalated_at = now
                record(
                    session,
                    ESCALATOR,
                    "stage.escalated",
                    "approval_stage",
                    stage.id,
                    before={"assignee_id": str(previous)},
                    after={"assignee_id": str(stage.assignee_id), "role": target},
                    details={"request_id": str(request.id)},
                )
                report.reassigned += 1
        elif stage.reminded_at is None:
            stage.reminded_at = now
            record(session, ESCALATOR, "stage.reminder_sent", "approval_stage", stage.id)
            add_event(
                session,
                EventType.STAGE_REMINDER,
                StageEvent(request_id=request.id, stage_id=stage.id),
            )
            report.reminded += 1
    return report
