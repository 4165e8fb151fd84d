"""Automatic analysis: a pure function of the policy, the request and the bureau report."""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from shared.credit.bureau import BureauReport
from shared.credit.policy import Condition, CreditPolicy, Metric
from shared.workflow.states import RequestStatus, RiskTier

RATIO_PLACES = Decimal("0.0001")
CENTS = Decimal("0.01")


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
    debt_to_income: Decimal | None  # rounded to 4 places, for the record


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


def _shown(metric: Metric, value: Decimal) -> str:
    if metric == "debt_to_income":
        # Two decimals, trimmed: 0.4501 shows as 45.01%, never as a "45%" equal to the limit.
        percent = (value * 100).quantize(Decimal("0.01"), ROUND_HALF_UP).normalize()
        return f"{percent:f}%"
    return f"{value.normalize():f}"


def evaluate(policy: CreditPolicy, app: Application, report: BureauReport) -> ScoreResult:
    """The automatic analysis: declined with up to `max_reasons` reasons in the policy's order,
    or pending approval with the first matching risk tier."""
    installment = monthly_installment(app.amount, app.term_months, policy.reference_annual_rate)
    metrics = _metrics(app, report, installment)
    reasons = []
    for rule in policy.rejection_rules:
        actual = metrics[rule.metric]
        if actual is not None and _holds(rule, actual):
            message = rule.message.format(
                actual=_shown(rule.metric, actual), limit=_shown(rule.metric, rule.value)
            )
            reasons.append({"code": rule.code, "message": message})
    if reasons:
        return ScoreResult(
            RequestStatus.AUTO_REJECTED,
            reasons[: policy.max_reasons],
            None,
            installment,
            _ratio(metrics["debt_to_income"]),
        )
    tier = policy.default_tier
    for tier_rule in policy.risk_tiers:
        results = (_holds(c, metrics[c.metric]) for c in tier_rule.conditions)
        if any(results) if tier_rule.when == "any" else all(results):
            tier = tier_rule.tier
            break
    return ScoreResult(
        RequestStatus.PENDING_APPROVAL, [], tier, installment, _ratio(metrics["debt_to_income"])
    )


def _ratio(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(RATIO_PLACES, ROUND_HALF_UP)
