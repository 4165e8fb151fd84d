"""What the approval steps take and show: a decision, a stage of the chain, an approver's
pending stage, and the request as an emailed link shows it."""

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from shared.credit.policy import MAX_NOTICE_REASONS
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

DecidedVia = Literal["app", "email_link"]
"""How a stage was decided: in the signed-in app, or by the approver's emailed link."""


class Decision(BaseModel):
    """An approver's decision on their stage; a rejection must say why."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"decision": "approve", "comment": "Income verified with three payslips."},
                {
                    "decision": "reject",
                    "comment": "Debt would exceed half of the income.",
                    "reason_codes": ["EXCESSIVE_OBLIGATIONS"],
                },
            ]
        },
    )

    decision: Literal["approve", "reject"]
    comment: str = Field(default="", max_length=2000)
    reason_codes: list[str] = Field(
        default_factory=list,
        max_length=MAX_NOTICE_REASONS,
        description="A rejection's principal reasons, 1 to 4 codes of the active policy's "
        "catalogue (GET /decline-reasons), most important first: the applicant's adverse "
        "action notice quotes their sentences. Empty for an approval.",
        examples=[["EXCESSIVE_OBLIGATIONS"]],
    )

    @model_validator(mode="after")
    def rejection_is_explained(self) -> "Decision":
        if self.decision == "reject" and not self.comment.strip():
            raise ValueError("a rejection needs a comment explaining it")
        if self.decision == "reject" and not self.reason_codes:
            raise ValueError("a rejection needs 1 to 4 reason codes from the policy's catalogue")
        if self.decision == "approve" and self.reason_codes:
            raise ValueError("only a rejection gives reason codes")
        if len(set(self.reason_codes)) != len(self.reason_codes):
            raise ValueError("each reason code once")
        return self


class StageOut(BaseModel):
    """One stage of a request's approval chain: who holds it, who decided it, how and why.
    Staff see the approvers' usernames; the applicant sees a role and a first name only."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    level: int
    role: StageRole
    status: StageStatus
    assignee: str | None = Field(
        description="The username of who holds the stage. Staff only: null for the applicant."
    )
    decided_by: str | None = Field(
        description="The username of who decided the stage. Staff only: null for the applicant."
    )
    approver_first_name: str | None = Field(
        description="The first name of who decided the stage, or else of who holds it: all "
        "the applicant is told of the person. Null while nobody holds it.",
        examples=["Ana"],
    )
    decided_at: datetime | None
    decided_via: DecidedVia | None = None
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
    applicant_name: str
    request: CreditRequestOut


class DeclineReasonOut(BaseModel):
    """A principal reason an approver may give for a rejection, from the active policy."""

    code: str = Field(examples=["EXCESSIVE_OBLIGATIONS"])
    message: str = Field(
        description="The sentence the applicant's notice quotes.",
        examples=["Your existing debt payments are too high in relation to your income."],
    )


class LinkSummary(BaseModel):
    """What an emailed approval link shows before its approver decides."""

    stage_id: uuid.UUID
    level: int
    role: StageRole
    approver: str
    expires_at: str
    applicant_name: str
    request: CreditRequestOut
    score_result: ScoreResultOut | None
    stages: list[StageOut] = Field(
        description="The whole chain, earlier decisions and their comments included."
    )
    decline_reasons: list[DeclineReasonOut] = Field(
        default_factory=list,
        description="The active policy's reasons a rejection chooses from (1 to 4).",
    )
