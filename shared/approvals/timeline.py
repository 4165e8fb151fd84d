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
from shared.workflow.states import StageStatus

StageRow = tuple[ApprovalStage | None, str | None, str | None, str | None, str | None]
"""A stage (None where a request has none yet), its assignee's and its decider's username,
then its assignee's and its decider's full name."""


def with_people[*Columns](
    query: Select[*Columns],
) -> Select[*Columns, str | None, str | None, str | None, str | None]:
    """`query` (selecting stages, possibly outer-joined) with each stage's assignee's and
    decider's usernames, then their full names, added as the last four columns."""
    assignee, decider = aliased(User), aliased(User)
    joined: Select[*Columns, str | None, str | None, str | None, str | None] = (
        query.add_columns(
            assignee.username, decider.username, assignee.full_name, decider.full_name
        )
        .outerjoin(assignee, assignee.id == ApprovalStage.assignee_id)
        .outerjoin(decider, decider.id == ApprovalStage.decided_by)
    )
    return joined


def first_name(full_name: str | None) -> str | None:
    """The first word of a full name: as much of a person as the applicant is told."""
    words = (full_name or "").split()
    return words[0] if words else None


def stages_out(rows: Iterable[StageRow]) -> list[StageOut]:
    """The chain's stages (rows without a stage skipped), with the people's usernames and the
    first name of the one the applicant would be told of (the decider, else the holder)."""
    return [
        StageOut(
            id=stage.id,
            level=stage.level,
            role=stage.role,
            status=StageStatus(stage.status),
            assignee=assignee,
            decided_by=decider,
            approver_first_name=first_name(decider_name if decider else assignee_name),
            decided_at=stage.decided_at,
            decided_via=cast(DecidedVia | None, stage.decided_via),
            comment=stage.comment,
            due_at=stage.due_at,
            policy_version=stage.policy_version,
            on_behalf_of=stage.on_behalf_of_user.username if stage.on_behalf_of_user else None,
        )
        for stage, assignee, decider, assignee_name, decider_name in rows
        if stage is not None
    ]


def as_applicant_sees(stage: StageOut, *, rejection_comment_shared: bool) -> StageOut:
    """The stage without the staff's usernames (internal identifiers, and often an email
    address's local part): the applicant gets the role and a first name; and without the
    rejecting approver's comment where the policy keeps it from the applicant, as the
    rejection's notice and email do."""
    hidden: dict[str, None] = {"assignee": None, "decided_by": None, "on_behalf_of": None}
    if stage.status == StageStatus.REJECTED and not rejection_comment_shared:
        hidden["comment"] = None
    return stage.model_copy(update=hidden)


def chain_for_staff(session: Session, request_id: uuid.UUID) -> list[StageOut]:
    """A request's whole chain in order, as an approver reads it before deciding: earlier
    decisions, who made them and their comments."""
    rows = session.execute(
        with_people(select(ApprovalStage))
        .where(ApprovalStage.request_id == request_id)
        .order_by(ApprovalStage.round, ApprovalStage.level)
    ).all()
    return stages_out(rows)
