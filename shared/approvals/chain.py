"""Which roles must approve a request: a pure function of the policy, amount and risk tier."""

from decimal import Decimal

from shared.credit.policy import CreditPolicy
from shared.workflow.states import RiskTier


def approval_chain(policy: CreditPolicy, amount: Decimal, tier: RiskTier) -> list[str]:
    """The roles that must approve, lowest first: the policy's chain for the amount (and the
    tier, where a band names tiers), one level more for high risk (up to the policy's top
    approver level)."""
    roles = next(
        rule.roles
        for rule in policy.approval_chains
        if (rule.tiers is None or tier in rule.tiers)
        and (rule.max_amount is None or amount <= rule.max_amount)
    )
    chain = list(roles)
    ladder = policy.approver_levels
    if tier == RiskTier.HIGH and policy.high_risk_adds_level and chain[-1] in ladder:
        highest = ladder.index(chain[-1])
        if highest + 1 < len(ladder):
            chain.append(ladder[highest + 1])
    return chain
