"""What the approval steps take and show: a decision, a stage of the chain, an approver's
pending stage, and the request as an emailed link shows it."""

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

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
    on_behalf_of: str | None = Field(
        default=None,
        description="The username of the absent approver whose stage this is, held or decided "
        "by their delegate. Staff only: null for the applicant.",
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
    on_behalf_of: str | None = Field(
        default=None, description="The full name of the absent approver you hold it for."
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


MAX_ABSENCE_DAYS = 90
"""The longest out-of-office window: delegation is time-boxed; a longer leave is a role
change for an administrator."""


class AbsenceIn(BaseModel):
    """An out-of-office window (UTC, with an offset) and who holds your stages meanwhile: an
    active user of your approver level or higher."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "delegate_id": "3f1e0c52-6a59-4d8e-9b1a-0c2f5b7d9e11",
                    "starts_at": "2026-12-21T08:00:00Z",
                    "ends_at": "2027-01-04T08:00:00Z",
                }
            ]
        },
    )

    delegate_id: uuid.UUID
    starts_at: AwareDatetime
    ends_at: AwareDatetime


AbsenceState = Literal["scheduled", "active", "ended", "cancelled"]


class AbsenceOut(BaseModel):
    """An out-of-office window, its delegate, and where it stands."""

    id: uuid.UUID
    user_id: uuid.UUID
    user: str = Field(description="The absent user's username.")
    delegate_id: uuid.UUID
    delegate: str = Field(description="The delegate's username.")
    delegate_name: str = Field(description="The delegate's full name.")
    starts_at: datetime
    ends_at: datetime
    state: AbsenceState = Field(
        description="scheduled (not begun), active (stages held by the delegate), ended, "
        "or cancelled."
    )
    created_by: str = Field(description="Who set it: the user, or an administrator.")
    created_at: datetime
    cancelled_at: datetime | None


class DelegateCandidate(BaseModel):
    """Someone who may hold a user's stages while they are away."""

    id: uuid.UUID
    username: str
    full_name: str
    role: str
