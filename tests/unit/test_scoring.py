"""Automatic scoring against the credit policy (shared.credit.scoring / policy)."""

import copy
import re
from decimal import Decimal
from typing import Any

import pytest

from shared.credit.bureau import BureauReport
from shared.credit.policy import DEFAULT_POLICY, CreditPolicy
from shared.credit.scoring import Application, ScoreResult, evaluate, monthly_installment
from shared.workflow.states import RequestStatus, RiskTier

ALL_CODES_IN_POLICY_ORDER = [
    "NO_INCOME",
    "RECENT_BANKRUPTCY",
    "LOW_CREDIT_SCORE",
    "HIGH_DEBT_TO_INCOME",
    "RECENT_DELINQUENCIES",
]


def policy_doc() -> dict[str, Any]:
    return copy.deepcopy(DEFAULT_POLICY)


def make_policy(**changes: Any) -> CreditPolicy:
    doc = policy_doc()
    doc.update(changes)
    return CreditPolicy.model_validate(doc)


DEFAULT = CreditPolicy.model_validate(DEFAULT_POLICY)
# With a zero reference rate the installment is amount / term exactly, so DTI is exact.
ZERO_RATE = make_policy(reference_annual_rate="0")


def app(
    amount: str = "1200",
    term: int = 12,
    income: str = "10000",
    debt: str = "0",
) -> Application:
    return Application(
        amount=Decimal(amount),
        term_months=term,
        monthly_income=Decimal(income),
        monthly_debt=Decimal(debt),
    )


def report(score: int = 760, delinquencies: int = 0, bankruptcies: int = 0) -> BureauReport:
    return BureauReport(
        credit_score=score, delinquencies_24m=delinquencies, bankruptcies_7y=bankruptcies
    )


def codes(result: ScoreResult) -> list[str]:
    return [r["code"] for r in result.reasons]


# --- the installment -----------------------------------------------------------------


def test_installment_matches_hand_computed_amortisation() -> None:
    # r = 0.01; 10000 * 0.01 / (1 - 1.01**-12) = 888.4879 -> 888.49
    assert monthly_installment(Decimal("10000"), 12, Decimal("0.12")) == Decimal("888.49")


def test_installment_of_a_30_year_mortgage() -> None:
    # The textbook figure: 250,000 over 360 months at 6% is 1,498.88 a month.
    assert monthly_installment(Decimal("250000"), 360, Decimal("0.06")) == Decimal("1498.88")


def test_installment_at_zero_rate_is_amount_over_term_rounded_to_cents() -> None:
    assert monthly_installment(Decimal("1000"), 3, Decimal("0")) == Decimal("333.33")
    assert monthly_installment(Decimal("1200"), 12, Decimal("0")) == Decimal("100.00")


def test_money_stays_decimal_in_cents() -> None:
    result = evaluate(DEFAULT, app(amount="10000", term=12, income="10000"), report())
    assert isinstance(result.installment, Decimal)
    assert result.installment == Decimal("888.49")
    assert result.installment.as_tuple().exponent == -2
    assert isinstance(result.debt_to_income, Decimal)
    assert result.debt_to_income == Decimal("0.0888")


# --- each rejection rule at its boundary ---------------------------------------------


def test_credit_score_579_rejects() -> None:
    result = evaluate(DEFAULT, app(), report(score=579))
    assert result.outcome == RequestStatus.AUTO_REJECTED
    assert codes(result) == ["LOW_CREDIT_SCORE"]
    # Declined, and scored: the tier is recorded too (issue 10, "seen in the browser").
    assert result.risk_tier == RiskTier.HIGH


def test_credit_score_580_passes() -> None:
    result = evaluate(DEFAULT, app(), report(score=580))
    assert result.outcome == RequestStatus.PENDING_APPROVAL
    assert result.reasons == []


def test_dti_exactly_045_including_installment_passes() -> None:
    # installment 100.00 + debt 350.00 = 450.00 of 1000.00 income: exactly 0.45
    result = evaluate(ZERO_RATE, app(amount="1200", term=12, income="1000", debt="350"), report())
    assert result.installment == Decimal("100.00")
    assert result.debt_to_income == Decimal("0.45")
    assert result.outcome == RequestStatus.PENDING_APPROVAL
    assert result.reasons == []


def test_dti_just_above_045_rejects() -> None:
    # 450.10 / 1000 = 0.4501
    result = evaluate(
        ZERO_RATE, app(amount="1200", term=12, income="1000", debt="350.10"), report()
    )
    assert result.debt_to_income == Decimal("0.4501")
    assert result.outcome == RequestStatus.AUTO_REJECTED
    assert codes(result) == ["HIGH_DEBT_TO_INCOME"]


def test_dti_counts_the_new_installment_not_just_existing_debt() -> None:
    # Existing debt alone is 0.40 of income; the installment pushes it to 0.50.
    result = evaluate(ZERO_RATE, app(amount="1200", term=12, income="1000", debt="400"), report())
    assert result.debt_to_income == Decimal("0.5")
    assert codes(result) == ["HIGH_DEBT_TO_INCOME"]


def test_dti_boundary_with_the_default_reference_rate() -> None:
    # installment 888.49 + debt 3611.51 = 4500.00 of 10000.00 income: exactly 0.45
    result = evaluate(
        DEFAULT, app(amount="10000", term=12, income="10000", debt="3611.51"), report()
    )
    assert result.debt_to_income == Decimal("0.45")
    assert result.outcome == RequestStatus.PENDING_APPROVAL
    over = evaluate(DEFAULT, app(amount="10000", term=12, income="10000", debt="3613"), report())
    assert codes(over) == ["HIGH_DEBT_TO_INCOME"]


@pytest.mark.parametrize("bankruptcies", [1, 2, 20])
def test_any_bankruptcy_rejects(bankruptcies: int) -> None:
    result = evaluate(DEFAULT, app(), report(bankruptcies=bankruptcies))
    assert result.outcome == RequestStatus.AUTO_REJECTED
    assert codes(result) == ["RECENT_BANKRUPTCY"]


def test_no_bankruptcy_passes() -> None:
    assert evaluate(DEFAULT, app(), report(bankruptcies=0)).outcome == (
        RequestStatus.PENDING_APPROVAL
    )


def test_three_delinquencies_reject() -> None:
    result = evaluate(DEFAULT, app(), report(delinquencies=3))
    assert result.outcome == RequestStatus.AUTO_REJECTED
    assert codes(result) == ["RECENT_DELINQUENCIES"]


def test_two_delinquencies_do_not_reject() -> None:
    result = evaluate(DEFAULT, app(), report(delinquencies=2))
    assert result.outcome == RequestStatus.PENDING_APPROVAL
    assert result.reasons == []


def test_zero_income_rejects_with_no_income_and_no_dti() -> None:
    result = evaluate(DEFAULT, app(income="0", debt="500"), report())
    assert result.outcome == RequestStatus.AUTO_REJECTED
    assert codes(result) == ["NO_INCOME"]
    assert result.debt_to_income is None
    assert result.installment == Decimal("106.62")  # still computed


def test_negative_income_is_treated_as_no_income() -> None:
    result = evaluate(DEFAULT, app(income="-100"), report())
    assert codes(result) == ["NO_INCOME"]
    assert result.debt_to_income is None


def test_small_positive_income_is_not_no_income() -> None:
    result = evaluate(ZERO_RATE, app(amount="12", term=12, income="0.01"), report())
    assert "NO_INCOME" not in codes(result)
    assert codes(result) == ["HIGH_DEBT_TO_INCOME"]  # 1.00 / 0.01 = 100x income


# --- reasons ---------------------------------------------------------------------------


def test_reasons_follow_policy_order_most_important_first() -> None:
    # Everything but NO_INCOME fails: bankruptcy, score, DTI (0.6) and delinquencies.
    result = evaluate(
        ZERO_RATE,
        app(amount="1200", term=12, income="1000", debt="500"),
        report(score=500, delinquencies=5, bankruptcies=1),
    )
    assert codes(result) == [
        "RECENT_BANKRUPTCY",
        "LOW_CREDIT_SCORE",
        "HIGH_DEBT_TO_INCOME",
        "RECENT_DELINQUENCIES",
    ]


def test_reasons_are_capped_at_max_reasons_when_all_five_rules_fail() -> None:
    # NO_INCOME and a DTI cannot both hold under the default thresholds (no income means no
    # ratio), so raise the "no income" floor in a copy of the policy to make all five fail.
    doc = policy_doc()
    doc["reference_annual_rate"] = "0"
    no_income_rule = doc["rejection_rules"][0]
    assert no_income_rule["code"] == "NO_INCOME"
    no_income_rule["value"] = "5000"
    policy = CreditPolicy.model_validate(doc)
    assert policy.max_reasons == 4

    result = evaluate(
        policy,
        app(amount="1200", term=12, income="1000", debt="500"),
        report(score=500, delinquencies=5, bankruptcies=1),
    )
    assert result.outcome == RequestStatus.AUTO_REJECTED
    assert codes(result) == ALL_CODES_IN_POLICY_ORDER[:4]


def test_max_reasons_from_the_policy_caps_the_list() -> None:
    policy = make_policy(max_reasons=2)
    result = evaluate(policy, app(), report(score=500, delinquencies=5, bankruptcies=1))
    assert codes(result) == ["RECENT_BANKRUPTCY", "LOW_CREDIT_SCORE"]


def test_every_reason_has_a_code_and_a_fully_rendered_message() -> None:
    result = evaluate(
        ZERO_RATE,
        app(amount="1200", term=12, income="1000", debt="500"),
        report(score=500, delinquencies=5, bankruptcies=1),
    )
    assert len(result.reasons) == 4
    for reason in result.reasons:
        assert set(reason) == {"code", "message"}
        assert reason["code"] in ALL_CODES_IN_POLICY_ORDER
        assert reason["message"].strip()
        assert "{" not in reason["message"] and "}" not in reason["message"]


def test_credit_score_message_shows_actual_and_limit() -> None:
    (reason,) = evaluate(DEFAULT, app(), report(score=579)).reasons
    assert "579" in reason["message"]
    assert "580" in reason["message"]


def test_delinquency_message_shows_actual_count() -> None:
    (reason,) = evaluate(DEFAULT, app(), report(delinquencies=7)).reasons
    assert reason["message"].startswith("7 delinquencies")
    assert "fewer than 3" in reason["message"]


def test_dti_message_shows_actual_ratio_as_percentage() -> None:
    # 600 / 1000 = 60%
    (reason,) = evaluate(
        ZERO_RATE, app(amount="1200", term=12, income="1000", debt="500"), report()
    ).reasons
    assert reason["code"] == "HIGH_DEBT_TO_INCOME"
    assert "60%" in reason["message"]
    assert "45%" in reason["message"]


def test_dti_message_just_over_the_limit_does_not_show_actual_equal_to_limit() -> None:
    # DTI 0.4501 is rejected as above 0.45; the message must not tell the applicant that
    # their 45% is "above the maximum of 45%".
    (reason,) = evaluate(
        ZERO_RATE, app(amount="1200", term=12, income="1000", debt="350.10"), report()
    ).reasons
    shown = [Decimal(p) for p in re.findall(r"(\d+(?:\.\d+)?)%", reason["message"])]
    assert len(shown) == 2, reason["message"]
    actual, limit = shown
    assert limit == Decimal("45")
    assert actual > limit, reason["message"]


def test_a_declined_ratio_a_hair_over_the_limit_is_shown_and_stored_over_it() -> None:
    """Monthly debt 4,400.40 plus a 100.00 installment on 10,000 income: a DTI of 0.45004,
    declined above 0.45. The reason must not read "45% ... above the maximum of 45%", and the
    stored ratio must not be 0.4500."""
    result = evaluate(
        ZERO_RATE, app(amount="600", term=6, income="10000", debt="4400.40"), report()
    )
    assert result.installment == Decimal("100.00")
    (reason,) = result.reasons
    assert reason["code"] == "HIGH_DEBT_TO_INCOME"
    assert "45.004% of income, above the maximum of 45%" in reason["message"]
    assert result.debt_to_income == Decimal("0.45004")


def test_a_ratio_is_stored_with_four_places_rounded_half_up() -> None:
    # 1234.50 / 10000 = 0.12345: half-up gives 0.1235 (banker's rounding would give 0.1234).
    result = evaluate(
        ZERO_RATE, app(amount="600", term=6, income="10000", debt="1134.50"), report()
    )
    assert result.debt_to_income == Decimal("0.1235")
    assert str(result.debt_to_income) == "0.1235"


@pytest.mark.parametrize(
    ("amount", "term", "installment"),
    [
        ("506.01", 2, "253.01"),  # 253.005: half-up, not half-even (253.00)
        ("100.05", 2, "50.03"),  # 50.025
        ("100.03", 2, "50.02"),  # 50.015 rounds up too
    ],
)
def test_installments_round_half_up_to_cents(amount: str, term: int, installment: str) -> None:
    assert monthly_installment(Decimal(amount), term, Decimal("0")) == Decimal(installment)


# --- risk tiers --------------------------------------------------------------------------


def tier_of(policy: CreditPolicy, application: Application, bureau: BureauReport) -> RiskTier:
    result = evaluate(policy, application, bureau)
    assert result.outcome == RequestStatus.PENDING_APPROVAL
    assert result.risk_tier is not None
    return result.risk_tier


# installment 100 on 1000 income, so DTI = (debt + 100) / 1000
def low_dti_app() -> Application:
    return app(amount="1200", term=12, income="1000", debt="100")  # DTI 0.20


def test_low_risk_needs_high_score_low_dti_and_clean_history() -> None:
    assert tier_of(ZERO_RATE, low_dti_app(), report(score=740)) == RiskTier.LOW
    # DTI exactly 0.25 is still low
    assert (
        tier_of(ZERO_RATE, app(amount="1200", term=12, income="1000", debt="150"), report())
        == RiskTier.LOW
    )


@pytest.mark.parametrize(
    ("application", "bureau"),
    [
        (low_dti_app(), report(score=739)),  # score just under 740
        (app(amount="1200", term=12, income="1000", debt="150.10"), report()),  # DTI 0.2501
        (low_dti_app(), report(delinquencies=1)),  # one delinquency
        (app(amount="1200", term=12, income="1000", debt="260"), report(score=650)),  # 0.36
    ],
)
def test_medium_risk_is_the_default(application: Application, bureau: BureauReport) -> None:
    assert tier_of(ZERO_RATE, application, bureau) == RiskTier.MEDIUM


@pytest.mark.parametrize(
    ("application", "bureau"),
    [
        (low_dti_app(), report(score=649)),  # score under 650
        (app(amount="1200", term=12, income="1000", debt="260.10"), report()),  # DTI 0.3601
        (low_dti_app(), report(delinquencies=2)),  # two delinquencies
    ],
)
def test_high_risk_when_any_high_condition_holds(
    application: Application, bureau: BureauReport
) -> None:
    assert tier_of(ZERO_RATE, application, bureau) == RiskTier.HIGH


def test_high_risk_wins_over_otherwise_low_profile() -> None:
    # Excellent score and DTI, but two delinquencies: high, not low.
    assert tier_of(ZERO_RATE, low_dti_app(), report(score=820, delinquencies=2)) == (RiskTier.HIGH)


# --- the policy is data --------------------------------------------------------------------


def test_a_changed_threshold_in_a_copied_policy_changes_the_outcome() -> None:
    doc = policy_doc()
    for rule in doc["rejection_rules"]:
        if rule["code"] == "LOW_CREDIT_SCORE":
            rule["value"] = "620"
    stricter = CreditPolicy.model_validate(doc)

    assert evaluate(DEFAULT, app(), report(score=600)).outcome == (RequestStatus.PENDING_APPROVAL)
    result = evaluate(stricter, app(), report(score=600))
    assert result.outcome == RequestStatus.AUTO_REJECTED
    assert codes(result) == ["LOW_CREDIT_SCORE"]
    assert "620" in result.reasons[0]["message"]
    # the original document is untouched
    assert DEFAULT.rejection_rules[2].value == Decimal("580")


def test_changed_risk_tier_and_default_tier_come_from_the_policy() -> None:
    policy = make_policy(risk_tiers=[], default_tier="high")
    assert tier_of(policy, low_dti_app(), report(score=800)) == RiskTier.HIGH


def test_reference_rate_from_the_policy_sets_the_installment() -> None:
    assert evaluate(ZERO_RATE, app(amount="1200", term=12), report()).installment == Decimal(
        "100.00"
    )
    assert evaluate(DEFAULT, app(amount="1200", term=12), report()).installment == Decimal("106.62")


def test_policy_document_rejects_unknown_keys() -> None:
    doc = policy_doc()
    doc["surprise"] = True
    with pytest.raises(ValueError):
        CreditPolicy.model_validate(doc)
