"""Automatic analysis: a pure function of the policy, the request and the bureau report."""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from shared.credit.bureau import BureauReport
from shared.credit.policy import Condition, CreditPolicy, Metric, RejectionRule
from shared.workflow.states import RequestStatus, RiskTier

RATIO_PLACES = 4  # a ratio is stored with at least this many decimals (0.3125)
PERCENT_PLACES = 2  # and shown in a reason as a percentage with at least these (31.25%)
CENTS = Decimal("0.01")
_MOST_EXTRA_PLACES = 8


@dataclass(frozen=True)
class Application:
    amount: Decimal
    term_months: int
    monthly_income: Decimal
    monthly_debt: Decimal


@dataclass(frozen=True)
class ScoreResult:
    outcome: RequestStatus  # AUTO_REJECTED or PENDING_APPROVAL
    reasons: list[dict[str, str]]
    risk_tier: RiskTier | None
    installment: Decimal
    debt_to_income: Decimal | None  # 4 places or more, for the record (see `precise`)


def monthly_installment(amount: Decimal, term_months: int, annual_rate: Decimal) -> Decimal:
    """Level payment of an amortising loan: P*r / (1 - (1 + r)^-n), r the monthly rate."""
    if annual_rate == 0:
        return (amount / term_months).quantize(CENTS, ROUND_HALF_UP)
    r = annual_rate / 12
    payment = amount * r / (1 - (1 + r) ** -term_months)
    return payment.quantize(CENTS, ROUND_HALF_UP)


def _metrics(
    app: Application, report: BureauReport, installment: Decimal
) -> dict[Metric, Decimal | None]:
    # Compared unrounded: rounding first would let 0.45004 pass a "> 0.45" rule.
    dti = None
    if app.monthly_income > 0:
        dti = (app.monthly_debt + installment) / app.monthly_income
    return {
        "credit_score": Decimal(report.credit_score),
        "debt_to_income": dti,
        "monthly_income": app.monthly_income,
        "delinquencies_24m": Decimal(report.delinquencies_24m),
        "bankruptcies_7y": Decimal(report.bankruptcies_7y),
    }


def _holds(condition: Condition, actual: Decimal | None) -> bool:
    if actual is None:
        return False
    match condition.op:
        case "lt":
            return actual < condition.value
        case "lte":
            return actual <= condition.value
        case "gt":
            return actual > condition.value
        case "gte":
            return actual >= condition.value
        case "eq":
            return actual == condition.value


def precise(value: Decimal, places: int, limits: Iterable[Decimal] = ()) -> Decimal:
    """`value` rounded half-up to `places` decimals, or to as many more as it takes not to
    equal a limit it differs from: 0.45004 declined above 0.45 is 0.45004, never 0.4500."""
    for extra in range(_MOST_EXTRA_PLACES + 1):
        rounded = value.quantize(Decimal(1).scaleb(-(places + extra)), ROUND_HALF_UP)
        if not any(rounded == limit != value for limit in limits):
            return rounded
    return value


def _shown(metric: Metric, value: Decimal, limit: Decimal) -> str:
    if metric == "debt_to_income":
        return as_percent(value, [limit])
    return f"{value.normalize():f}"


def as_percent(ratio: Decimal, limits: Iterable[Decimal]) -> str:
    """A debt-to-income ratio as a percentage, as precise as the reasons show it: never equal
    to a limit it differs from (45.004%, not 45%, above a 45% maximum)."""
    percent = precise(ratio * 100, PERCENT_PLACES, [limit * 100 for limit in limits])
    return f"{percent.normalize():f}%"


def dti_limits(policy: CreditPolicy) -> list[Decimal]:
    """Every debt-to-income limit the policy compares against (its rules' and tiers')."""
    conditions = [*policy.rejection_rules, *(c for t in policy.risk_tiers for c in t.conditions)]
    return [c.value for c in conditions if c.metric == "debt_to_income"]


def ranked(rules: list[RejectionRule]) -> list[RejectionRule]:
    """The rules in the order the notice gives their reasons: by rank, unranked ones after
    in the list's order (Python's sort is stable)."""
    return sorted(rules, key=lambda rule: rule.rank if rule.rank is not None else 1 << 30)


def evaluate(policy: CreditPolicy, app: Application, report: BureauReport) -> ScoreResult:
    """The automatic analysis: the first matching risk tier, and declined with up to
    `max_reasons` reasons in the policy's order, or else pending approval."""
    installment = monthly_installment(app.amount, app.term_months, policy.reference_annual_rate)
    metrics = _metrics(app, report, installment)
    reasons = []
    for rule in ranked(policy.rejection_rules):
        actual = metrics[rule.metric]
        if actual is not None and _holds(rule, actual):
            message = rule.message.format(
                actual=_shown(rule.metric, actual, rule.value),
                limit=_shown(rule.metric, rule.value, rule.value),
            )
            reasons.append({"code": rule.code, "message": message})
    # A declined request was scored too: its tier is recorded and shown like any other's.
    tier = policy.default_tier
    for tier_rule in policy.risk_tiers:
        results = (_holds(c, metrics[c.metric]) for c in tier_rule.conditions)
        if any(results) if tier_rule.when == "any" else all(results):
            tier = tier_rule.tier
            break
    return ScoreResult(
        RequestStatus.AUTO_REJECTED if reasons else RequestStatus.PENDING_APPROVAL,
        reasons[: policy.max_reasons],
        tier,
        installment,
        _ratio(metrics["debt_to_income"], policy),
    )


def _ratio(value: Decimal | None, policy: CreditPolicy) -> Decimal | None:
    # Stored for the record and shown to people: never equal to a threshold it is not.
    return None if value is None else precise(value, RATIO_PLACES, dti_limits(policy))
