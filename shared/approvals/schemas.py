"""What the approval steps take and show: a decision, a stage of the chain, an approver's
pending stage, and the request as an emailed link shows it."""

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    RootModel,
    model_validator,
)

from shared.credit.policy import MAX_NOTICE_REASONS
from shared.credit.schemas import (
    Amount,
    CreditRequestOut,
    DecisionReason,
    EmploymentStatus,
    Money,
    MonthlyMoney,
    Purpose,
    ScoreResultOut,
    TermMonths,
)
from shared.timestamps import AwareUtcDatetime
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


class OfferTerms(BaseModel):
    """The terms a counteroffer approves instead of those asked for: another amount (no more
    than asked for), another term, or both; what is left out stays as asked."""

    model_config = ConfigDict(extra="forbid")

    amount: Amount | None = None
    term_months: TermMonths | None = None

    @model_validator(mode="after")
    def changes_something(self) -> "OfferTerms":
        if self.amount is None and self.term_months is None:
            raise ValueError("an offer gives another amount, another term, or both")
        return self


class Decision(BaseModel):
    """An approver's decision on their stage. A rejection must say why: a comment and 1-4
    `reason_codes` from the policy's catalogue of decline reasons. The final stage may also
    approve other terms (`counteroffer`): with the `offer`, the reason in `comment` (shown to
    the applicant) and 1-4 `reason_codes`, the principal reasons the terms asked for were not
    approved. Either way the applicant's adverse action notice quotes the codes' sentences."""

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
                {
                    "decision": "counteroffer",
                    "comment": "We can lend 18,000 over 48 months on your income.",
                    "offer": {"amount": "18000.00", "term_months": 48},
                    "reason_codes": ["AMOUNT_TOO_HIGH"],
                },
            ]
        },
    )

    decision: Literal["approve", "reject", "counteroffer"]
    comment: str = Field(default="", max_length=2000)
    offer: OfferTerms | None = None
    reason_codes: list[Annotated[str, Field(max_length=64)]] = Field(
        default_factory=list,
        max_length=MAX_NOTICE_REASONS,
        description="The principal reasons of a rejection or a counteroffer, 1 to 4 codes of "
        "the active policy's catalogue (GET /decline-reasons), most important first: the "
        "applicant's adverse action notice quotes their sentences. Empty for an approval.",
        examples=[["EXCESSIVE_OBLIGATIONS"]],
    )

    @model_validator(mode="after")
    def is_explained(self) -> "Decision":
        if len(set(self.reason_codes)) != len(self.reason_codes):
            raise ValueError("each reason code once")
        if self.decision == "approve":
            if self.reason_codes:
                raise ValueError("an approval has no reasons to give")
            if self.offer is not None:
                raise ValueError("only a counteroffer has an offer")
            return self
        if self.decision == "reject":
            if self.offer is not None:
                raise ValueError("only a counteroffer has an offer")
            if not self.comment.strip():
                raise ValueError("a rejection needs a comment explaining it")
            if not self.reason_codes:
                raise ValueError("a rejection needs 1 to 4 reason codes from the catalogue")
            return self
        if self.offer is None:
            raise ValueError("a counteroffer needs the offer's terms")
        if not self.comment.strip():
            raise ValueError("a counteroffer needs a comment: the reason the applicant reads")
        if not self.reason_codes:
            raise ValueError("a counteroffer needs 1 to 4 reason codes")
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


OfferOutcome = Literal["accepted", "declined", "lapsed"]


class OfferOut(BaseModel):
    """A counteroffer beside what was asked for, both installments at the same reference rate,
    with the reason, the principal reasons, its deadline and how the applicant answered."""

    requested_amount: Money
    requested_term_months: int
    requested_installment: Money
    amount: Money
    term_months: int
    installment: Money = Field(description="The offer's monthly installment.")
    annual_rate: Annotated[Decimal, PlainSerializer(lambda v: f"{v:f}", when_used="json")]
    reason: str = Field(description="The final approver's reason, in their words.")
    reason_codes: list[DecisionReason] = Field(
        description="The principal reasons the terms asked for were not approved."
    )
    made_at: datetime
    expires_at: datetime = Field(description="Accept or decline before this; it lapses then.")
    responded_at: datetime | None
    outcome: OfferOutcome | None = Field(description="Null while the offer is open.")


class CounterofferTerms(BaseModel):
    """What a final approver needs to make a counteroffer: the bounds of its terms, the rate
    its installment is computed at, and the catalogue of reasons to choose from."""

    reference_annual_rate: Annotated[Decimal, PlainSerializer(lambda v: f"{v:f}", when_used="json")]
    min_term_months: int
    max_term_months: int
    max_reasons: int
    decline_reasons: list[DecisionReason]


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
    counteroffer: CounterofferTerms | None = Field(
        default=None,
        description="Set when the link's stage is the chain's last, which alone may approve "
        "other terms (`decision: counteroffer`); null otherwise.",
    )
    decline_reasons: list[DeclineReasonOut] = Field(
        default_factory=list,
        description="The active policy's reasons a rejection chooses from (1 to 4).",
    )


def _not_blank(text: str) -> str:
    if not text.strip():
        raise ValueError("must not be blank")
    return text


class InformationQuestions(BaseModel):
    """The current approver's questions to the applicant: the request waits for the answer
    (its stage's SLA paused), for at most 30 days."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"questions": "Please send your last three payslips."}]},
    )

    questions: str = Field(min_length=1, max_length=2000)

    @model_validator(mode="after")
    def has_questions(self) -> "InformationQuestions":
        _not_blank(self.questions)
        return self


class Amendments(BaseModel):
    """Financial fields the applicant changes with their answer, validated as on submission.
    Omitted fields stay as they are."""

    model_config = ConfigDict(extra="forbid")

    amount: Amount | None = None
    term_months: TermMonths | None = None
    purpose: Purpose | None = None
    monthly_income: MonthlyMoney | None = None
    monthly_debt: MonthlyMoney | None = None
    employment_status: EmploymentStatus | None = None


class InformationAnswer(BaseModel):
    """The applicant's answer to the approver's questions, possibly amending the request
    (an amended request is scored again: see `shared.approvals.information`)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"answer": "Payslips attached to my email; the amount can be lower."},
                {"answer": "I can borrow less.", "amendments": {"amount": "4000.00"}},
            ]
        },
    )

    answer: str = Field(min_length=1, max_length=2000)
    amendments: Amendments | None = None

    @model_validator(mode="after")
    def has_answer(self) -> "InformationAnswer":
        _not_blank(self.answer)
        return self


InformationOutcome = Literal[
    "resumed", "rechained", "auto_rejected", "rejected", "withdrawn", "incomplete"
]
"""How a round ended: answered and resumed at its stage, answered and given a new chain,
answered and declined by the re-score, rejected by the approver while waiting, withdrawn by
the applicant, or closed unanswered."""


class Amendment(BaseModel):
    before: str
    after: str


class InformationRequestOut(BaseModel):
    """One round of questions and answer on a request, as its timeline shows it. Staff see
    the asker's username; the applicant the role and a first name only."""

    id: uuid.UUID
    stage_id: uuid.UUID
    level: int
    role: StageRole
    asked_by: str | None = Field(description="The asker's username. Staff only.")
    asked_by_first_name: str | None
    asked_via: DecidedVia
    questions: str
    asked_at: datetime
    due_at: datetime = Field(description="When the request closes as incomplete unanswered.")
    answered_at: datetime | None
    answer: str | None
    amendments: dict[str, Amendment] = Field(
        description="The fields the answer changed, each with its value before and after."
    )
    outcome: InformationOutcome | None = Field(
        description="How the round ended; null while it awaits the answer."
    )
    closed_at: datetime | None


class InformationRequests(RootModel[list[InformationRequestOut]]):
    """A request's rounds of questions and answers, oldest first."""


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
    starts_at: AwareUtcDatetime
    ends_at: AwareUtcDatetime


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
