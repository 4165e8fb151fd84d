"""A request's approval chain as people read it: each stage with who holds and who decided it,
how, and why."""

import uuid
from collections.abc import Iterable
from typing import cast

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, aliased

from shared.approvals.models import ApprovalStage
from shared.approvals.schemas import DecidedVia, StageOut
from shared.users.models import User
from shared.workflow.states import Role, StageStatus

StageRow = tuple[ApprovalStage | None, str | None, str | None]
"""A stage (None where a request has none yet), its assignee's and its decider's username."""


def with_people[*Columns](query: Select[*Columns]) -> Select[*Columns, str | None, str | None]:
    """`query` (selecting stages, possibly outer-joined) with each stage's assignee's and
    decider's usernames added as the last two columns."""
    assignee, decider = aliased(User), aliased(User)
    joined: Select[*Columns, str | None, str | None] = (
        query.add_columns(assignee.username, decider.username)
        .outerjoin(assignee, assignee.id == ApprovalStage.assignee_id)
        .outerjoin(decider, decider.id == ApprovalStage.decided_by)
    )
    return joined


def stages_out(rows: Iterable[StageRow]) -> list[StageOut]:
    """The chain's stages (rows without a stage skipped), with the people's usernames."""
    return [
        StageOut(
            id=stage.id,
            level=stage.level,
            role=Role(stage.role),
            status=StageStatus(stage.status),
            assignee=assignee,
            decided_by=decider,
            decided_at=stage.decided_at,
            decided_via=cast(DecidedVia | None, stage.decided_via),
            comment=stage.comment,
            due_at=stage.due_at,
        )
        for stage, assignee, decider in rows
        if stage is not None
    ]


def chain_for_staff(session: Session, request_id: uuid.UUID) -> list[StageOut]:
    """A request's whole chain in order, as an approver reads it before deciding: earlier
    decisions, who made them and their comments."""
    rows = session.execute(
        with_people(select(ApprovalStage))
        .where(ApprovalStage.request_id == request_id)
        .order_by(ApprovalStage.level)
    ).all()
    return stages_out((s, a, d) for s, a, d in rows)
