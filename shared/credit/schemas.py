import uuid
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, JsonValue, PlainSerializer

from shared.credit.bureau import BureauReport
from shared.workflow.states import RequestStatus, RiskTier

# Money travels as a decimal string ("1500.00") so no client ever parses it as a float.
Money = Annotated[
    Decimal,
    Field(max_digits=14, decimal_places=2),
    PlainSerializer(lambda v: f"{v:.2f}", return_type=str, when_used="json"),
]


class EmploymentStatus(StrEnum):
    EMPLOYED = "employed"
    SELF_EMPLOYED = "self_employed"
    UNEMPLOYED = "unemployed"
    RETIRED = "retired"
    STUDENT = "student"


APPLICATION_EXAMPLE: dict[str, JsonValue] = {
    "amount": "25000.00",
    "term_months": 36,
    "purpose": "Delivery van for the bakery",
    "monthly_income": "6500.00",
    "monthly_debt": "450.00",
    "employment_status": "self_employed",
    "credit_score": 712,
    "delinquencies_24m": 0,
    "bankruptcies_7y": 0,
}


# The application's fields, named once: submission takes them, and so do an answer to an
# approver's questions that amends them, a counteroffer's terms, and the corrected data an
# applicant may give with a request for review (shared.approvals.review_schemas).
Amount = Annotated[Money, Field(gt=0, le=Decimal("10000000"))]
MIN_TERM_MONTHS, MAX_TERM_MONTHS = 6, 360
TermMonths = Annotated[int, Field(ge=MIN_TERM_MONTHS, le=MAX_TERM_MONTHS)]
Purpose = Annotated[str, Field(min_length=1, max_length=500)]
MonthlyMoney = Annotated[Money, Field(ge=0, le=Decimal("100000000"))]
CreditScore = Annotated[int, Field(ge=300, le=850)]
Delinquencies = Annotated[int, Field(ge=0, le=100)]
Bankruptcies = Annotated[int, Field(ge=0, le=20)]


class CreditRequestCreate(BaseModel):
    """An application. Money travels as decimal strings ("25000.00"), never as floats."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [APPLICATION_EXAMPLE]})

    amount: Amount
    term_months: TermMonths
    purpose: Purpose
    monthly_income: MonthlyMoney
    monthly_debt: MonthlyMoney
    employment_status: EmploymentStatus
    credit_score: CreditScore
    delinquencies_24m: Delinquencies
    bankruptcies_7y: Bankruptcies


class DecisionReason(BaseModel):
    code: str
    message: str


class CreditRequestOut(BaseModel):
    """A request as filed, with where the workflow has taken it."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    **APPLICATION_EXAMPLE,
                    "id": "0b6f5c1e-3a57-4c1b-9d7e-2f0c8a4e6d21",
                    "applicant_id": "5d2c7a10-8e4f-4b7a-a1c3-6f9e0d2b4c88",
                    "status": "pending_approval",
                    "risk_tier": "medium",
                    "decision_reasons": [],
                    "created_at": "2026-11-30T09:15:02.120000Z",
                    "updated_at": "2026-11-30T09:15:02.480000Z",
                    "decided_at": None,
                }
            ]
        }
    )

    id: uuid.UUID
    applicant_id: uuid.UUID
    amount: Money
    term_months: int
    purpose: str
    monthly_income: Money
    monthly_debt: Money
    employment_status: EmploymentStatus
    # Null once the retention job removed the bureau report (see `anonymised_at`).
    credit_score: int | None
    delinquencies_24m: int | None
    bankruptcies_7y: int | None
    status: RequestStatus
    risk_tier: RiskTier | None = Field(
        description="The internal grading scoring gave it; null until scored. Shown to staff; "
        "null for the applicant unless the policy in force marks it shown."
    )
    decision_reasons: list[DecisionReason]
    created_at: datetime
    updated_at: datetime
    decided_at: datetime | None
    anonymised_at: datetime | None = Field(
        default=None,
        description="When its personal data (the applicant's free text and the bureau report) "
        "was removed, 25 months after the decision; null until then.",
    )


# A ratio travels as a decimal string with the places the score step stored: at least four
# ("0.3125"), more when fewer would equal a threshold it is not ("0.45004").
Ratio = Annotated[
    Decimal,
    PlainSerializer(lambda v: f"{v:f}", return_type=str, when_used="json"),
]


class ScoreResultOut(BaseModel):
    """What the automatic analysis computed, as the score step stored it."""

    installment: Money = Field(
        description="Monthly installment of the loan at the policy's reference rate."
    )
    debt_to_income: Ratio | None = Field(
        description="(monthly debt + installment) / monthly income; null when income is zero."
    )
    bureau_report: BureauReport | None = Field(
        description="The credit bureau's report. Third-party data: shown to staff only, "
        "null for the applicant."
    )
    policy_version: int | None = Field(
        default=None,
        description="The credit policy version that scored it; null for requests scored "
        "before versions were kept.",
    )
