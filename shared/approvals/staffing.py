"""Stages follow the people who hold them: when an approver is deactivated or loses the role a
stage needs, their pending stages move to someone who may decide them, in the same
transaction as the change."""

import uuid

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from shared.approvals.models import ApprovalStage
from shared.approvals.service import assign, ladder_of
from shared.approvals.stages import tell_previous_assignee
from shared.audit.service import Actor, record
from shared.auth import service as auth
from shared.credit import policy
from shared.credit.models import CreditRequest
from shared.errors import InvalidInput
from shared.users import service as users
from shared.users.identity import Identity
from shared.users.models import User
from shared.users.schemas import UserUpdate
from shared.workflow.states import Role, StageStatus, may_hold


def update_user(session: Session, admin: Identity, user_id: uuid.UUID, change: UserUpdate) -> User:
    """Change a user's role or active flag (see `users.update`) and release the stages they may
    no longer hold. A deactivated user is signed out everywhere: their sessions would
    otherwise come back with the account, to whoever holds a refresh token (a stolen one, say,
    the very reason to deactivate). A role not built in must be an approver level a policy
    version (not retired) defines: 422 `unknown_role` otherwise."""
    builtin = {r.value for r in Role}
    if (
        change.role is not None
        and change.role not in builtin
        and change.role not in policy.defined_levels(session)
    ):
        raise InvalidInput(
            f"No credit policy version defines the approver level {change.role}.",
            code="unknown_role",
            details=[{"loc": ["body", "role"], "msg": "unknown role", "type": "unknown_role"}],
        )
    user = users.update(session, admin, user_id, change)
    if change.is_active is False:
        auth.revoke_sessions(session, user.id)
    reason = "deactivated" if not user.is_active else "role_changed"
    release_stages(session, user, Actor.of(admin), reason)
    return user


def pending_count(session: Session, user_id: uuid.UUID) -> int:
    """How many stages await this user's decision (what a role change would move)."""
    return int(
        session.scalar(
            select(func.count()).where(
                ApprovalStage.assignee_id == user_id, ApprovalStage.status == StageStatus.PENDING
            )
        )
        or 0
    )


def stages_to_move(session: Session, user_id: uuid.UUID, role: str, is_active: bool) -> int:
    """How many of this user's pending stages a change to `role` / `is_active` would move:
    what an administrator is told before confirming it."""
    stages = session.scalars(
        select(ApprovalStage).where(
            ApprovalStage.assignee_id == user_id, ApprovalStage.status == StageStatus.PENDING
        )
    )
    return sum(
        1
        for stage in stages
        if not (is_active and may_hold(role, stage.role, ladder_of(session, stage)))
    )


def release_stages(session: Session, user: User, actor: Actor, reason: str) -> int:
    """Hand the pending stages this user may no longer hold (deactivated, or a role below the
    stage's) to another approver by the usual least-loaded rule, in the caller's transaction:
    their links die (a link is only good for its stage's assignee), the new assignee is emailed
    (`stage.assigned`), and each move is audited. A stage nobody eligible can take is left
    unassigned and audited; escalation retries it. Returns how many stages were released."""
    held = session.execute(
        select(ApprovalStage.id, ApprovalStage.request_id).where(
            ApprovalStage.assignee_id == user.id, ApprovalStage.status == StageStatus.PENDING
        )
    ).all()
    released = 0
    for stage_id, request_id in held:
        # Request before stage, as deciding and withdrawing lock them: no deadlock.
        request = session.get(CreditRequest, request_id, with_for_update=True)
        stage = session.get(ApprovalStage, stage_id)
        assert request is not None and stage is not None  # foreign key; stages are not deleted
        session.refresh(stage, with_for_update=True)
        if stage.status != StageStatus.PENDING or stage.assignee_id != user.id:
            continue  # decided or moved meanwhile
        if user.is_active and may_hold(user.role, stage.role, ladder_of(session, stage)):
            continue
        stage.assignee_id = None
        tell_previous_assignee(session, stage, user.id, "reassigned")  # their link just died
        record(
            session,
            actor,
            "stage.released",
            "approval_stage",
            stage.id,
            before={"assignee_id": str(user.id)},
            after={"assignee_id": None},
            details={"request_id": str(request.id), "reason": reason},
        )
        assign(session, request, stage, actor=actor)
        released += 1
    return released
