"""Counteroffers without a database: what a decision with other terms must hold, and the
installment the applicant is shown."""

from decimal import Decimal
from typing import Any

import pytest
from pydantic import ValidationError

from shared.approvals.schemas import Decision, OfferTerms
from shared.credit.policy import DEFAULT_POLICY, MAX_NOTICE_REASONS, CreditPolicy
from shared.credit.scoring import monthly_installment

VALID: dict[str, Any] = {
    "decision": "counteroffer",
    "comment": "We can lend less, over longer.",
    "offer": {"amount": "4000.00", "term_months": 36},
    "reason_codes": ["AMOUNT_TOO_HIGH"],
}


def test_a_complete_counteroffer_is_accepted() -> None:
    decision = Decision.model_validate(VALID)
    assert decision.offer == OfferTerms(amount=Decimal("4000.00"), term_months=36)


@pytest.mark.parametrize(
    "change",
    [
        {"offer": None},
        {"offer": {}},
        {"comment": "  "},
        {"reason_codes": []},
        {"reason_codes": ["A", "B", "C", "D", "E"]},
        {"reason_codes": ["AMOUNT_TOO_HIGH", "AMOUNT_TOO_HIGH"]},
        {"offer": {"amount": "0"}},
        {"offer": {"amount": "-1"}},
        {"offer": {"amount": "10000000.01"}},
        {"offer": {"amount": "100.001"}},
        {"offer": {"term_months": 5}},
        {"offer": {"term_months": 361}},
        {"offer": {"amount": "1", "rate": "0.01"}},
    ],
)
def test_an_incomplete_or_out_of_bounds_counteroffer_is_refused(change: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        Decision.model_validate({**VALID, **change})


def test_only_a_counteroffer_carries_an_offer() -> None:
    with pytest.raises(ValidationError):
        Decision.model_validate({"decision": "approve", "offer": {"amount": "1.00"}})
    assert Decision.model_validate({"decision": "approve"}).offer is None
    with pytest.raises(ValidationError):
        Decision.model_validate({"decision": "approve", "reason_codes": ["AMOUNT_TOO_HIGH"]})


def test_one_changed_term_is_enough() -> None:
    assert Decision.model_validate({**VALID, "offer": {"term_months": 48}}).offer is not None
    assert Decision.model_validate({**VALID, "offer": {"amount": "10.00"}}).offer is not None


def test_at_most_four_principal_reasons_as_reg_b_allows() -> None:
    assert MAX_NOTICE_REASONS == 4
    codes = ["AMOUNT_TOO_HIGH", "TERM_TOO_LONG", "BANKRUPTCY", "TEMPORARY_EMPLOYMENT"]
    assert Decision.model_validate({**VALID, "reason_codes": codes}).reason_codes == codes


def test_the_offered_installment_at_the_reference_rate_is_exact_money() -> None:
    rate = CreditPolicy.model_validate(DEFAULT_POLICY).reference_annual_rate
    assert monthly_installment(Decimal("4000.00"), 36, rate) == Decimal("132.86")
    assert monthly_installment(Decimal("5000.00"), 24, rate) == Decimal("235.37")
    # A longer term lowers the installment of the same amount.
    assert monthly_installment(Decimal("5000.00"), 48, rate) < Decimal("235.37")


def test_the_default_catalogue_has_the_counteroffer_reasons() -> None:
    policy = CreditPolicy.model_validate(DEFAULT_POLICY)
    assert policy.decline_reason("AMOUNT_TOO_HIGH") is not None
    assert policy.decline_reason("TERM_TOO_LONG") is not None
    assert policy.decline_reason("NOT_A_CODE") is None
