"""Credit policy as data: the scoring rules, risk tiers and approval chains.

The document lives in the `policies` table (seeded from `DEFAULT_POLICY` by the first
migration), so an administrator can change thresholds without a deploy. This module
validates the document's shape; `scoring` and `approvals.routing` interpret it.
"""

import threading
from decimal import Decimal
from functools import cache
from typing import Literal

from cachetools import TTLCache
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from shared import clock, metrics
from shared.config import get_settings
from shared.credit.models import Policy
from shared.workflow.states import RiskTier, Role

POLICY_NAME = "credit"

Metric = Literal[
    "credit_score", "debt_to_income", "monthly_income", "delinquencies_24m", "bankruptcies_7y"
]
Operator = Literal["lt", "lte", "gt", "gte", "eq"]


class Condition(BaseModel):
    model_config = ConfigDict(extra="forbid")

    metric: Metric
    op: Operator
    value: Decimal


class RejectionRule(Condition):
    code: str
    message: str  # may use {actual} and {limit}


class RiskTierRule(BaseModel):
    model_config = ConfigDict(extra="forbid")

    tier: RiskTier
    when: Literal["any", "all"]
    conditions: list[Condition]


class ChainRule(BaseModel):
    model_config = ConfigDict(extra="forbid")

    max_amount: Decimal | None  # None: no upper bound
    roles: list[Role]


class CreditPolicy(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reference_annual_rate: Decimal = Field(ge=0)
    max_reasons: int = Field(ge=1)
    rejection_rules: list[RejectionRule]  # most important first
    risk_tiers: list[RiskTierRule]  # first match wins
    default_tier: RiskTier
    approval_chains: list[ChainRule]  # ascending max_amount; the last is unbounded
    high_risk_adds_level: bool
    stage_sla_hours: int = Field(gt=0)
    # Whether the final rejection email quotes the rejecting approver's comment to the
    # applicant. Documents stored before this flag existed lack it: they get the default.
    share_rejection_comment: bool = True


DEFAULT_POLICY: dict[str, object] = {
    "reference_annual_rate": "0.12",
    "max_reasons": 4,
    "rejection_rules": [
        {
            "code": "NO_INCOME",
            "metric": "monthly_income",
            "op": "lte",
            "value": "0",
            "message": "No income was declared, so the installment cannot be repaid from income.",
        },
        {
            "code": "RECENT_BANKRUPTCY",
            "metric": "bankruptcies_7y",
            "op": "gte",
            "value": "1",
            "message": "A bankruptcy is on record within the last 7 years.",
        },
        {
            "code": "LOW_CREDIT_SCORE",
            "metric": "credit_score",
            "op": "lt",
            "value": "580",
            "message": "The credit score of {actual} is below the minimum of {limit}.",
        },
        {
            "code": "HIGH_DEBT_TO_INCOME",
            "metric": "debt_to_income",
            "op": "gt",
            "value": "0.45",
            "message": "Monthly debt including the new installment would be {actual} of income, "
            "above the maximum of {limit}.",
        },
        {
            "code": "RECENT_DELINQUENCIES",
            "metric": "delinquencies_24m",
            "op": "gte",
            "value": "3",
            "message": "{actual} delinquencies in the last 24 months; "
            "the limit is fewer than {limit}.",
        },
    ],
    "risk_tiers": [
        {
            "tier": "high",
            "when": "any",
            "conditions": [
                {"metric": "credit_score", "op": "lt", "value": "650"},
                {"metric": "debt_to_income", "op": "gt", "value": "0.36"},
                {"metric": "delinquencies_24m", "op": "gte", "value": "2"},
            ],
        },
        {
            "tier": "low",
            "when": "all",
            "conditions": [
                {"metric": "credit_score", "op": "gte", "value": "740"},
                {"metric": "debt_to_income", "op": "lte", "value": "0.25"},
                {"metric": "delinquencies_24m", "op": "eq", "value": "0"},
            ],
        },
    ],
    "default_tier": "medium",
    "approval_chains": [
        {"max_amount": "10000", "roles": ["analyst"]},
        {"max_amount": "100000", "roles": ["analyst", "manager"]},
        {"max_amount": None, "roles": ["analyst", "manager", "director"]},
    ],
    "high_risk_adds_level": True,
    "stage_sla_hours": 48,
    "share_rejection_comment": True,
}


@cache
def _policy_cache() -> TTLCache[str, CreditPolicy]:
    # Made at first use, once per process: a warm function scores and routes many requests
    # with one read of the document. An administrator's change reaches every function within
    # POLICY_CACHE_SECONDS.
    return TTLCache(
        maxsize=1,
        ttl=get_settings().policy_cache_seconds,
        timer=lambda: clock.utcnow().timestamp(),
    )


_policy_lock = threading.Lock()  # the local gateway runs functions on several threads


def load(session: Session) -> CreditPolicy:
    """The credit policy, validated; a warm function reuses it for POLICY_CACHE_SECONDS."""
    with _policy_lock:
        cached = _policy_cache().get(POLICY_NAME)
    if cached is not None:
        metrics.CACHE_HITS.labels("policy").inc()
        return cached
    metrics.CACHE_MISSES.labels("policy").inc()
    row = session.get(Policy, POLICY_NAME)
    loaded = CreditPolicy.model_validate(row.document if row else DEFAULT_POLICY)
    with _policy_lock:
        _policy_cache()[POLICY_NAME] = loaded
    return loaded
