"""Which roles must approve a request (shared.approvals.chain)."""

import copy
from decimal import Decimal

import pytest

from shared.approvals.chain import approval_chain
from shared.credit.policy import DEFAULT_POLICY, CreditPolicy
from shared.workflow.states import RiskTier, Role

POLICY = CreditPolicy.model_validate(DEFAULT_POLICY)

ANALYST = [Role.ANALYST]
ANALYST_MANAGER = [Role.ANALYST, Role.MANAGER]
ALL_THREE = [Role.ANALYST, Role.MANAGER, Role.DIRECTOR]


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        ("1", ANALYST),
        ("10000", ANALYST),
        ("10000.00", ANALYST),
        ("10000.01", ANALYST_MANAGER),
        ("100000", ANALYST_MANAGER),
        ("100000.01", ALL_THREE),
        ("150000", ALL_THREE),
        ("5000000", ALL_THREE),
    ],
)
@pytest.mark.parametrize("tier", [RiskTier.LOW, RiskTier.MEDIUM])
def test_chain_by_amount(amount: str, expected: list[Role], tier: RiskTier) -> None:
    assert approval_chain(POLICY, Decimal(amount), tier) == expected


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        ("5000", ANALYST_MANAGER),
        ("10000", ANALYST_MANAGER),
        ("10000.01", ALL_THREE),
        ("100000", ALL_THREE),
    ],
)
def test_high_risk_adds_the_next_level(amount: str, expected: list[Role]) -> None:
    assert approval_chain(POLICY, Decimal(amount), RiskTier.HIGH) == expected


def test_high_risk_is_capped_at_director() -> None:
    assert approval_chain(POLICY, Decimal("150000"), RiskTier.HIGH) == ALL_THREE


def test_high_risk_adds_nothing_when_the_policy_says_so() -> None:
    doc = copy.deepcopy(DEFAULT_POLICY)
    doc["high_risk_adds_level"] = False
    policy = CreditPolicy.model_validate(doc)
    assert approval_chain(policy, Decimal("5000"), RiskTier.HIGH) == ANALYST


def test_changed_chain_thresholds_in_the_policy_change_the_chain() -> None:
    doc = copy.deepcopy(DEFAULT_POLICY)
    doc["approval_chains"] = [
        {"max_amount": "500", "roles": ["analyst"]},
        {"max_amount": None, "roles": ["analyst", "director"]},
    ]
    policy = CreditPolicy.model_validate(doc)
    assert approval_chain(policy, Decimal("500"), RiskTier.MEDIUM) == ANALYST
    assert approval_chain(policy, Decimal("501"), RiskTier.MEDIUM) == [
        Role.ANALYST,
        Role.DIRECTOR,
    ]


def test_the_returned_chain_does_not_alias_the_policy() -> None:
    chain = approval_chain(POLICY, Decimal("5000"), RiskTier.HIGH)
    chain.append(Role.ADMIN)
    assert approval_chain(POLICY, Decimal("5000"), RiskTier.MEDIUM) == ANALYST
    assert POLICY.approval_chains[0].roles == ANALYST
