"""What the approval steps take and show: a decision, a stage of the chain, an approver's
pending stage, and the request as an emailed link shows it."""

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from shared.credit.schemas import CreditRequestOut, ScoreResultOut
from shared.workflow.states import StageStatus

# The approver level the stage is for: built in (analyst, manager, director, admin) or one a
# credit policy version defines (`credit_committee`).
StageRole = Annotated[
    str,
    Field(
        description="The approver level: analyst, manager, director, admin, or one "
        "the credit policy defines.",
        examples=["analyst"],
    ),
]


class Decision(BaseModel):
    model_config = ConfigDict(extra="forbid")

    decision: Literal["approve", "reject"]
    comment: str = Field(default="", max_length=2000)

    @model_validator(mode="after")
    def rejection_is_explained(self) -> "Decision":
        if self.decision == "reject" and not self.comment.strip():
            raise ValueError("a rejection needs a comment explaining it")
        return self


class StageOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    level: int
    role: StageRole
    status: StageStatus
    assignee: str | None
    decided_by: str | None
    decided_at: datetime | None
    comment: str | None
    due_at: datetime | None
    policy_version: int | None = Field(
        default=None,
        description="The credit policy version whose chain made this stage (null before "
        "versions were kept).",
    )


class PendingStage(BaseModel):
    """A stage awaiting the signed-in approver's decision, with its request."""

    stage_id: uuid.UUID
    level: int
    role: StageRole
    due_at: datetime | None
    overdue: bool
    request: CreditRequestOut


class LinkSummary(BaseModel):
    """What an emailed approval link shows before its approver decides."""

    stage_id: uuid.UUID
    level: int
    role: StageRole
    approver: str
    expires_at: str
    request: CreditRequestOut
    score_result: ScoreResultOut | None
