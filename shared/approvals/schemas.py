"""What the approval steps take and show: a decision, a stage of the chain, an approver's
pending stage, and the request as an emailed link shows it."""

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from shared.credit.schemas import CreditRequestOut, ScoreResultOut
from shared.workflow.states import Role, StageStatus

DecidedVia = Literal["app", "email_link"]
"""How a stage was decided: in the signed-in app, or by the approver's emailed link."""


class Decision(BaseModel):
    """An approver's decision on their stage; a rejection must say why."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"decision": "approve", "comment": "Income verified with three payslips."},
                {"decision": "reject", "comment": "Debt would exceed half of the income."},
            ]
        },
    )

    decision: Literal["approve", "reject"]
    comment: str = Field(default="", max_length=2000)

    @model_validator(mode="after")
    def rejection_is_explained(self) -> "Decision":
        if self.decision == "reject" and not self.comment.strip():
            raise ValueError("a rejection needs a comment explaining it")
        return self


class StageOut(BaseModel):
    """One stage of a request's approval chain: who holds it, who decided it, how and why."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    level: int
    role: Role
    status: StageStatus
    assignee: str | None
    decided_by: str | None
    decided_at: datetime | None
    decided_via: DecidedVia | None = None
    comment: str | None
    due_at: datetime | None


class PendingStage(BaseModel):
    """A stage awaiting the signed-in approver's decision, with its request."""

    stage_id: uuid.UUID
    level: int
    role: Role
    due_at: datetime | None
    overdue: bool
    applicant_name: str
    request: CreditRequestOut


class LinkSummary(BaseModel):
    """What an emailed approval link shows before its approver decides."""

    stage_id: uuid.UUID
    level: int
    role: Role
    approver: str
    expires_at: str
    applicant_name: str
    request: CreditRequestOut
    score_result: ScoreResultOut | None
    stages: list[StageOut] = Field(
        description="The whole chain, earlier decisions and their comments included."
    )
