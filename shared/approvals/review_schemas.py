"""What a human review of an automatic decline takes and shows (`shared.approvals.review`)."""

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from shared.credit.schemas import (
    Amount,
    Bankruptcies,
    CreditRequestOut,
    CreditScore,
    Delinquencies,
    EmploymentStatus,
    Money,
    MonthlyMoney,
    ScoreResultOut,
    TermMonths,
)

STATEMENT_MAX = 4000
RATIONALE_MAX = 4000


class CorrectedData(BaseModel):
    """Corrected values of the application's financial fields, each as submission takes it;
    only those given change."""

    model_config = ConfigDict(extra="forbid")

    amount: Amount | None = None
    term_months: TermMonths | None = None
    monthly_income: MonthlyMoney | None = None
    monthly_debt: MonthlyMoney | None = None
    employment_status: EmploymentStatus | None = None
    credit_score: CreditScore | None = None
    delinquencies_24m: Delinquencies | None = None
    bankruptcies_7y: Bankruptcies | None = None

    def given(self) -> dict[str, Any]:
        """The fields given, as JSON values (money as decimal strings)."""
        return self.model_dump(mode="json", exclude_none=True)


class ReviewAsk(BaseModel):
    """The applicant asks a person to review their automatic decline."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "statement": "My income doubled last month: I started a new job.",
                    "corrected_data": {"monthly_income": "9000.00"},
                }
            ]
        },
    )

    statement: str = Field(min_length=1, max_length=STATEMENT_MAX)
    corrected_data: CorrectedData | None = None

    @model_validator(mode="after")
    def statement_says_something(self) -> "ReviewAsk":
        if not self.statement.strip():
            raise ValueError("the statement must say why the decline should be reviewed")
        if self.corrected_data is not None and not self.corrected_data.given():
            self.corrected_data = None  # an empty correction corrects nothing
        return self


class ReviewDecision(BaseModel):
    """The reviewer's outcome: confirm the decline or overturn it, with their own rationale."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"outcome": "overturned", "rationale": "The new payslips show enough income."}
            ]
        },
    )

    outcome: Literal["confirmed", "overturned"]
    rationale: str = Field(min_length=1, max_length=RATIONALE_MAX)

    @model_validator(mode="after")
    def rationale_says_something(self) -> "ReviewDecision":
        if not self.rationale.strip():
            raise ValueError("the rationale must explain the outcome")
        return self


ReviewState = Literal["awaiting_reviewer", "in_review", "confirmed", "overturned"]


class ReviewOut(BaseModel):
    """A review as its applicant sees it: what they asked and, once decided, the outcome and
    the reviewer's rationale (the reviewer is not named)."""

    id: uuid.UUID
    request_id: uuid.UUID
    state: ReviewState
    requested_at: datetime
    statement: str
    corrected_data: dict[str, Any] | None
    due_at: datetime | None
    decided_at: datetime | None
    outcome: Literal["confirmed", "overturned"] | None
    rationale: str | None


class ReviewStatus(BaseModel):
    """Whether the applicant may ask for a human review of the request, until when, and the
    review if one was asked for."""

    may_request: bool = Field(
        description="True while the request is declined automatically, "
        "no review was asked for and the window is open."
    )
    window_closes_at: datetime | None = Field(
        description="The end of the window to ask (30 days after an automatic decline); null "
        "for a request that was not declined automatically."
    )
    review: ReviewOut | None


class FieldChange(BaseModel):
    """One field the applicant corrected: as the decline saw it, and as corrected."""

    field: str
    original: Any
    corrected: Any


class ReviewDetail(ReviewOut):
    """A review as its reviewer sees it: the decline's inputs, score result and reasons as
    they were, the applicant's statement and corrections (as a diff)."""

    reviewer: str | None = Field(description="The reviewer's username.")
    applicant_name: str
    request: CreditRequestOut
    original_inputs: dict[str, Any]
    original_reasons: list[dict[str, str]]
    original_score_result: ScoreResultOut | None
    changes: list[FieldChange]


class AssignedReview(BaseModel):
    """A review awaiting the signed-in reviewer's outcome (their inbox)."""

    review_id: uuid.UUID
    request_id: uuid.UUID
    applicant_name: str
    amount: Money
    requested_at: datetime
    due_at: datetime | None
    overdue: bool
