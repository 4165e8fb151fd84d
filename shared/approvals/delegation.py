"""Delegation and out-of-office: while a staff user is away, a delegate of their approver level
or higher holds their pending stages, and what is still pending comes back afterwards.

Rules (every refusal a 409 or 422 with a machine-readable code):
- only staff who hold stages (an approver level, or admin) are absent; a staff user sets their
  own absences, an administrator anyone's (audited with the administrator as actor);
- the delegate is active, not the user, and may hold the user's stages (`may_hold`);
- a window is at most MAX_ABSENCE_DAYS long and not over yet; one user's windows never overlap;
- no chain: an absent user is nobody's delegate in an overlapping window, and a delegate is not
  absent in an overlapping window (so neither A→B→A nor A→B→C);
- routing and escalation skip absent users (`service.absent_at`); when a window starts, the
  user's pending stages go to the delegate when segregation of duties allows, else to the
  least-loaded eligible user, held `on_behalf_of` the user with their due time kept; when it
  ends (or is cancelled once started), the stages still held for them come back if they may
  hold them. The `escalate` schedule runs the moves (`run`); creating a window that has begun
  and cancelling one under way do them at once.
"""

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from shared.approvals.models import Absence, ApprovalStage
from shared.approvals.schemas import MAX_ABSENCE_DAYS, AbsenceIn, AbsenceOut, DelegateCandidate
from shared.approvals.service import assign, covering, hand_over, may_take
from shared.approvals.stages import tell_previous_assignee
from shared.audit.service import Actor, record
from shared.clock import utcnow
from shared.credit import policy
from shared.credit.models import CreditRequest
from shared.errors import Conflict, DomainError, Forbidden, InvalidInput, NotFound
from shared.messaging.outbox import add_event
from shared.users.identity import Identity
from shared.users.models import User
from shared.workflow.events import AbsenceEvent, EventType
from shared.workflow.states import RequestStatus, Role, StageStatus, may_hold

MOVER = Actor.system("escalate")


def _refuse_input(message: str, code: str, field: str) -> InvalidInput:
    return InvalidInput(
        message, code=code, details=[{"loc": ["body", field], "msg": message, "type": code}]
    )


def _holds_stages(session: Session, user: User) -> bool:
    return user.role == Role.ADMIN or user.role in policy.active(session).policy.approver_levels


@dataclass(frozen=True)
class Window:
    """Who is away when, and who holds their stages meanwhile."""

    user_id: uuid.UUID
    delegate_id: uuid.UUID
    starts_at: datetime
    ends_at: datetime


def window_refusal(starts_at: datetime, ends_at: datetime, now: datetime) -> InvalidInput | None:
    """Why a window may not be set (422), or None: it ends after it starts, is not over, and
    lasts at most MAX_ABSENCE_DAYS."""
    if ends_at <= starts_at:
        return _refuse_input("The absence must end after it starts.", "invalid_window", "ends_at")
    if ends_at <= now:
        return _refuse_input("The absence is already over.", "window_in_past", "ends_at")
    if ends_at - starts_at > timedelta(days=MAX_ABSENCE_DAYS):
        return _refuse_input(
            f"An absence lasts at most {MAX_ABSENCE_DAYS} days.", "window_too_long", "ends_at"
        )
    return None


def delegate_refusal(
    user_role: str, delegate_role: str, delegate_active: bool, ladder: Sequence[str]
) -> Conflict | None:
    """Why this delegate may not hold the user's stages (409), or None: active, and of the
    user's approver level or higher."""
    if not delegate_active:
        return Conflict("The delegate's account is not active.", code="delegate_inactive")
    if not may_hold(delegate_role, user_role, ladder):
        return Conflict(
            "The delegate must hold the absent user's approver level or a higher one.",
            code="delegate_role_too_low",
        )
    return None


def chain_refusal(new: Window, existing: Iterable[Window]) -> Conflict | None:
    """Why `new` may not join the windows still open (409), or None: one user's windows never
    overlap, and nobody is both away and a delegate in overlapping windows (no A→B→A, no
    A→B→C)."""
    for other in existing:
        if not (other.starts_at < new.ends_at and other.ends_at > new.starts_at):
            continue
        if other.user_id == new.user_id:
            return Conflict(
                "There is already an absence in this window.", code="overlapping_absence"
            )
        if other.user_id == new.delegate_id:
            return Conflict("The delegate is away in this window.", code="delegate_absent")
        if other.delegate_id == new.user_id:
            return Conflict(
                "The absent user is someone's delegate in this window: no delegation chains.",
                code="user_is_delegate",
            )
    return None


def _subject(session: Session, actor: Identity, user_id: uuid.UUID, lock: bool = False) -> User:
    """The user whose absences `actor` handles: themselves, or anyone for an administrator."""
    if user_id != actor.id and actor.role != Role.ADMIN:
        raise Forbidden("You may only set your own absences.", code="not_your_absence")
    user = session.get(User, user_id, with_for_update=lock)
    if user is None:
        raise NotFound("No such user.")
    return user


def create(session: Session, actor: Identity, user_id: uuid.UUID, body: AbsenceIn) -> AbsenceOut:
    """Set `user_id` out of office from `starts_at` until `ends_at`, `delegate_id` holding
    their stages (the rules in this module's docstring), audited as `absence.created` with
    `actor` (the user, or an administrator) as its author. A window already begun starts at
    once: the stages move in this transaction."""
    now = utcnow()
    refusal: DomainError | None = window_refusal(body.starts_at, body.ends_at, now)
    if refusal is not None:
        raise refusal
    if body.delegate_id == user_id:
        raise _refuse_input("You cannot be your own delegate.", "delegate_is_self", "delegate_id")
    # Both rows locked, in id order, so two windows set at once cannot slip past the checks.
    first, second = sorted([user_id, body.delegate_id])
    session.get(User, first, with_for_update=True)
    session.get(User, second, with_for_update=True)
    user = _subject(session, actor, user_id)
    if not _holds_stages(session, user):
        raise Conflict("Only approvers hold stages to delegate.", code="not_an_approver")
    delegate = session.get(User, body.delegate_id)
    if delegate is None:
        raise _refuse_input("No such delegate.", "delegate_not_found", "delegate_id")
    ladder = policy.active(session).policy.approver_levels
    refusal = delegate_refusal(user.role, delegate.role, delegate.is_active, ladder)
    if refusal is None:
        open_windows = session.scalars(
            select(Absence).where(
                Absence.cancelled_at.is_(None),
                Absence.ended_at.is_(None),
                Absence.ends_at > now,
                or_(
                    Absence.user_id.in_([user.id, delegate.id]),
                    Absence.delegate_id == user.id,
                ),
            )
        )
        refusal = chain_refusal(
            Window(user.id, delegate.id, body.starts_at, body.ends_at),
            (Window(a.user_id, a.delegate_id, a.starts_at, a.ends_at) for a in open_windows),
        )
    if refusal is not None:
        raise refusal
    absence = Absence(
        user_id=user.id,
        delegate_id=delegate.id,
        starts_at=body.starts_at,
        ends_at=body.ends_at,
        created_by=actor.id,
    )
    session.add(absence)
    session.flush()
    record(
        session,
        Actor.of(actor),
        "absence.created",
        "absence",
        absence.id,
        after={
            "user_id": str(user.id),
            "delegate_id": str(delegate.id),
            "starts_at": body.starts_at.isoformat(),
            "ends_at": body.ends_at.isoformat(),
        },
        details={"user_id": str(user.id), "for_other": actor.id != user.id},
    )
    add_event(session, EventType.ABSENCE_SET, AbsenceEvent(absence_id=absence.id))
    if body.starts_at <= now:
        _start(session, absence, now)
    return _out(session, absence, now)


def cancel(
    session: Session, actor: Identity, user_id: uuid.UUID, absence_id: uuid.UUID
) -> AbsenceOut:
    """Cancel an absence not yet over, audited as `absence.cancelled`; one under way ends at
    once (its stages come back in this transaction). 409 `absence_over` once ended or
    cancelled."""
    now = utcnow()
    _subject(session, actor, user_id)
    absence = session.get(Absence, absence_id, with_for_update=True)
    if absence is None or absence.user_id != user_id:
        raise NotFound("No such absence.")
    if absence.cancelled_at is not None or absence.ended_at is not None or absence.ends_at <= now:
        raise Conflict("This absence is already over.", code="absence_over")
    absence.cancelled_at = now
    absence.cancelled_by = actor.id
    record(
        session,
        Actor.of(actor),
        "absence.cancelled",
        "absence",
        absence.id,
        details={"user_id": str(user_id), "for_other": actor.id != user_id},
    )
    if absence.started_at is not None:
        _end(session, absence, now)
    else:
        absence.ended_at = now  # nothing moved: nothing left for the schedule to do
    return _out(session, absence, now)


def list_for(session: Session, actor: Identity, user_id: uuid.UUID) -> list[AbsenceOut]:
    """A user's absences, latest window first (their own, or anyone's for an admin)."""
    _subject(session, actor, user_id)
    now = utcnow()
    rows = session.scalars(
        select(Absence).where(Absence.user_id == user_id).order_by(Absence.starts_at.desc())
    )
    return [_out(session, a, now) for a in rows]


def candidates(session: Session, actor: Identity, user_id: uuid.UUID) -> list[DelegateCandidate]:
    """Who may be `user_id`'s delegate: active users of their approver level or higher, by
    username (whether they are free in a given window is checked when the absence is set)."""
    user = _subject(session, actor, user_id)
    ladder = policy.active(session).policy.approver_levels
    roles = [r for r in [*ladder, Role.ADMIN.value] if may_hold(r, user.role, ladder)]
    rows = session.scalars(
        select(User)
        .where(User.is_active.is_(True), User.id != user.id, User.role.in_(roles))
        .order_by(User.username)
    )
    return [
        DelegateCandidate(id=u.id, username=u.username, full_name=u.full_name, role=u.role)
        for u in rows
    ]


def _out(session: Session, absence: Absence, now: datetime) -> AbsenceOut:
    people = {
        u.id: u
        for u in session.scalars(
            select(User).where(
                User.id.in_([absence.user_id, absence.delegate_id, absence.created_by])
            )
        )
    }
    if absence.cancelled_at is not None:
        state = "cancelled"
    elif absence.ended_at is not None or absence.ends_at <= now:
        state = "ended"
    elif absence.starts_at <= now:
        state = "active"
    else:
        state = "scheduled"
    delegate = people[absence.delegate_id]
    return AbsenceOut(
        id=absence.id,
        user_id=absence.user_id,
        user=people[absence.user_id].username,
        delegate_id=delegate.id,
        delegate=delegate.username,
        delegate_name=delegate.full_name,
        starts_at=absence.starts_at,
        ends_at=absence.ends_at,
        state=state,
        created_by=people[absence.created_by].username,
        created_at=absence.created_at,
        cancelled_at=absence.cancelled_at,
    )


@dataclass
class DelegationReport:
    started: int = 0
    ended: int = 0
    delegated: int = 0
    returned: int = 0


def run(session: Session, now: datetime | None = None) -> DelegationReport:
    """The schedule's part (`escalate`): start the absences whose window has begun (their
    stages move), end those over or cancelled once started (stages come back). Idempotent:
    each absence is started and ended once (`started_at`, `ended_at`); rows another run holds
    are skipped."""
    now = now or utcnow()
    report = DelegationReport()
    ending = session.scalars(
        select(Absence)
        .where(
            # Over (a window no run saw begin ends with nothing to bring back); those
            # cancelled were ended by the cancellation.
            Absence.ended_at.is_(None),
            Absence.ends_at <= now,
        )
        .with_for_update(skip_locked=True)
    ).all()
    for absence in ending:
        report.returned += _end(session, absence, now)
        report.ended += 1
    starting = session.scalars(
        select(Absence)
        .where(
            Absence.cancelled_at.is_(None),
            Absence.started_at.is_(None),
            Absence.starts_at <= now,
            Absence.ends_at > now,
        )
        .with_for_update(skip_locked=True)
    ).all()
    for absence in starting:
        report.delegated += _start(session, absence, now)
        report.started += 1
    return report


def _locked_stage(
    session: Session, stage_id: uuid.UUID, request_id: uuid.UUID
) -> tuple[ApprovalStage, CreditRequest]:
    # Request before stage, as deciding and withdrawing lock them: no deadlock.
    request = session.get(CreditRequest, request_id, with_for_update=True)
    stage = session.get(ApprovalStage, stage_id)
    assert request is not None and stage is not None  # foreign key; stages are not deleted
    session.refresh(stage, with_for_update=True)
    return stage, request


def _start(session: Session, absence: Absence, now: datetime) -> int:
    """Move the user's pending stages to the delegate (or, where segregation of duties forbids
    it, to the least-loaded eligible user), held on the user's behalf; how many moved."""
    absence.started_at = now
    record(session, MOVER, "absence.started", "absence", absence.id)
    delegate = session.get(User, absence.delegate_id)
    assert delegate is not None  # foreign key
    held = session.execute(
        select(ApprovalStage.id, ApprovalStage.request_id).where(
            ApprovalStage.assignee_id == absence.user_id,
            ApprovalStage.status == StageStatus.PENDING,
        )
    ).all()
    moved = 0
    for stage_id, request_id in held:
        stage, request = _locked_stage(session, stage_id, request_id)
        if (
            stage.status != StageStatus.PENDING
            or stage.assignee_id != absence.user_id
            or request.status != RequestStatus.PENDING_APPROVAL
        ):
            continue  # decided, withdrawn or moved meanwhile
        hold_for(session, absence, delegate, request, stage, now)
        moved += 1
    return moved


def absence_now(session: Session, user_id: uuid.UUID, now: datetime) -> Absence | None:
    """The user's absence covering `now`, if they are away."""
    return session.scalars(
        select(Absence).where(Absence.user_id == user_id, *covering(now))
    ).first()


def hold_for(
    session: Session,
    absence: Absence,
    delegate: User,
    request: CreditRequest,
    stage: ApprovalStage,
    now: datetime,
) -> None:
    """Give the absent user's stage (locked, request first) to their delegate, or, where
    segregation of duties forbids it, to the least-loaded eligible user, held on the user's
    behalf (it comes back when the absence ends); audited as `stage.delegated`."""
    if may_take(session, request, stage, delegate, now):
        hand_over(
            session, request, stage, delegate, MOVER, due_at=None, on_behalf_of=absence.user_id
        )
        holder: uuid.UUID | None = delegate.id
    else:
        taker = assign(session, request, stage, actor=MOVER, now=now, on_behalf_of=absence.user_id)
        holder = taker.id if taker else None
        if taker is None:  # nobody may take it: unassigned, escalation retries it
            stage.assignee_id = None
            stage.on_behalf_of = absence.user_id
            tell_previous_assignee(session, stage, absence.user_id, "reassigned")
    record(
        session,
        MOVER,
        "stage.delegated",
        "approval_stage",
        stage.id,
        before={"assignee_id": str(absence.user_id)},
        after={"assignee_id": str(holder) if holder else None},
        details={
            "request_id": str(request.id),
            "absence_id": str(absence.id),
            "on_behalf_of": str(absence.user_id),
            "to_delegate": holder == delegate.id,
        },
    )


def _end(session: Session, absence: Absence, now: datetime) -> int:
    """Bring back to the user the stages still pending and held on their behalf, where they
    may hold them now (else the holder keeps them); how many came back."""
    absence.ended_at = now
    record(session, MOVER, "absence.ended", "absence", absence.id)
    if absence.started_at is None:
        return 0
    user = session.get(User, absence.user_id)
    assert user is not None  # foreign key
    held = session.execute(
        select(ApprovalStage.id, ApprovalStage.request_id).where(
            ApprovalStage.on_behalf_of == absence.user_id,
            ApprovalStage.status == StageStatus.PENDING,
        )
    ).all()
    returned = 0
    for stage_id, request_id in held:
        stage, request = _locked_stage(session, stage_id, request_id)
        if (
            stage.status != StageStatus.PENDING
            or stage.on_behalf_of != absence.user_id
            or request.status != RequestStatus.PENDING_APPROVAL
        ):
            continue
        if not may_take(session, request, stage, user, now):
            continue  # deactivated, role changed, or away again: the holder keeps it
        holder = stage.assignee_id
        hand_over(session, request, stage, user, MOVER, due_at=None)
        record(
            session,
            MOVER,
            "stage.returned",
            "approval_stage",
            stage.id,
            before={"assignee_id": str(holder) if holder else None},
            after={"assignee_id": str(user.id)},
            details={"request_id": str(request.id), "absence_id": str(absence.id)},
        )
        returned += 1
    return returned
