"""Request more information, the pure rules: what an answer amends, when the approvals given
still cover an amended request, how the paused SLA resumes, what the state machine allows
while a request waits for its applicant, and what the API accepts."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from pydantic import ValidationError

from shared.approvals.chain import approval_chain
from shared.approvals.information import (
    AMENDABLE,
    ANSWER_WINDOW,
    amendments_of,
    resumed_due_at,
    same_chain,
)
from shared.approvals.schemas import Amendments, InformationAnswer, InformationQuestions
from shared.credit.policy import DEFAULT_POLICY, CreditPolicy
from shared.credit.schemas import CreditRequestCreate, EmploymentStatus
from shared.errors import Conflict
from shared.workflow.states import (
    RequestStatus,
    RiskTier,
    StageStatus,
    advance_request,
    advance_stage,
)

POLICY = CreditPolicy.model_validate(DEFAULT_POLICY)
T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def _request(**changes: Any) -> Any:
    fields = {
        "amount": Decimal("5000.00"),
        "term_months": 24,
        "purpose": "Car repair",
        "monthly_income": Decimal("6000.00"),
        "monthly_debt": Decimal("300.00"),
        "employment_status": "employed",
    }
    return SimpleNamespace(**{**fields, **changes})


def test_the_answer_window_is_30_days() -> None:
    assert timedelta(days=30) == ANSWER_WINDOW


def test_an_answer_without_amendments_changes_nothing() -> None:
    assert amendments_of(_request(), InformationAnswer(answer="Payslips sent.")) == {}


def test_only_changed_fields_are_amendments_with_before_and_after() -> None:
    answer = InformationAnswer(
        answer="I can borrow less.",
        amendments=Amendments(
            amount=Decimal("4000"),  # changed
            term_months=24,  # the same: no amendment
            employment_status=EmploymentStatus.SELF_EMPLOYED,
        ),
    )
    assert amendments_of(_request(), answer) == {
        "amount": {"before": "5000.00", "after": "4000.00"},
        "employment_status": {"before": "employed", "after": "self_employed"},
    }


def test_the_amendable_fields_are_the_applicants_declared_finances_only() -> None:
    assert set(AMENDABLE) == set(Amendments.model_fields)
    # The bureau's figures are not the applicant's to amend.
    assert {"credit_score", "delinquencies_24m", "bankruptcies_7y"}.isdisjoint(AMENDABLE)
    assert set(AMENDABLE) < set(CreditRequestCreate.model_fields)


@pytest.mark.parametrize(
    "amendments",
    [
        {"amount": "0"},
        {"amount": "-1"},
        {"amount": "10000000.01"},
        {"amount": "12.345"},
        {"term_months": 5},
        {"term_months": 361},
        {"purpose": ""},
        {"purpose": "x" * 501},
        {"monthly_income": "-0.01"},
        {"monthly_debt": "100000000.01"},
        {"employment_status": "astronaut"},
        {"credit_score": 800},
    ],
)
def test_amendments_are_validated_as_on_submission(amendments: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        InformationAnswer.model_validate({"answer": "ok", "amendments": amendments})


@pytest.mark.parametrize("text", ["", "   \n", "x" * 2001])
def test_questions_and_answers_are_required_and_at_most_2000_characters(text: str) -> None:
    with pytest.raises(ValidationError):
        InformationQuestions(questions=text)
    with pytest.raises(ValidationError):
        InformationAnswer(answer=text)
    assert InformationQuestions(questions="x" * 2000).questions


@pytest.mark.parametrize(
    ("before", "after", "covered"),
    [
        ("5000", "9000", True),  # within the analyst band
        ("50000", "60000", True),  # analyst + manager either way
        ("5000", "50000", False),  # a manager is needed now
        ("150000", "50000", False),  # a smaller chain: the director's approval is not asked
        ("50000", "150000", False),  # a director is needed now
    ],
)
def test_approvals_cover_an_amendment_only_when_the_chain_is_the_same(
    before: str, after: str, covered: bool
) -> None:
    current = approval_chain(POLICY, Decimal(before), RiskTier.LOW)
    amended = approval_chain(POLICY, Decimal(after), RiskTier.LOW)
    assert same_chain(current, amended) is covered


def test_a_tier_change_to_high_risk_changes_the_chain() -> None:
    current = approval_chain(POLICY, Decimal("5000"), RiskTier.LOW)
    amended = approval_chain(POLICY, Decimal("5000"), RiskTier.HIGH)
    assert not same_chain(current, amended)


def test_resuming_moves_the_due_time_by_the_pause() -> None:
    due = T0 + timedelta(hours=30)  # 30 hours were left when the approver asked
    asked = T0
    answered = T0 + timedelta(days=3, hours=4)
    resumed = resumed_due_at(due, asked, answered)
    assert resumed == due + timedelta(days=3, hours=4)
    assert resumed is not None and resumed - answered == timedelta(hours=30)


def test_resuming_never_moves_the_due_time_earlier_and_keeps_an_unset_one() -> None:
    assert resumed_due_at(T0, T0, T0 - timedelta(minutes=1)) == T0  # clock skew
    assert resumed_due_at(None, T0, T0 + timedelta(days=1)) is None


@pytest.mark.parametrize(
    "to",
    [
        RequestStatus.PENDING_APPROVAL,
        RequestStatus.AUTO_REJECTED,
        RequestStatus.REJECTED,
        RequestStatus.INCOMPLETE,
        RequestStatus.WITHDRAWN,
    ],
)
def test_a_waiting_request_may_resume_or_end(to: RequestStatus) -> None:
    request = SimpleNamespace(status=RequestStatus.INFO_REQUESTED.value)
    advance_request(request, to)
    assert request.status == to


def test_a_waiting_request_is_not_approved_and_not_asked_twice() -> None:
    for to in (RequestStatus.APPROVED, RequestStatus.INFO_REQUESTED):
        with pytest.raises(Conflict) as refused:
            advance_request(SimpleNamespace(status=RequestStatus.INFO_REQUESTED.value), to)
        assert refused.value.code == "invalid_transition"


def test_a_paused_stage_may_be_rejected_or_resumed_but_not_approved() -> None:
    for to in (StageStatus.PENDING, StageStatus.REJECTED, StageStatus.CANCELLED):
        stage = SimpleNamespace(status=StageStatus.INFO_REQUESTED.value)
        advance_stage(stage, to)
    with pytest.raises(Conflict):
        advance_stage(
            SimpleNamespace(status=StageStatus.INFO_REQUESTED.value), StageStatus.APPROVED
        )
