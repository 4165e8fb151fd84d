"""Whether a policy document can be proposed: its shape (the `CreditPolicy` schema) and the
checks a schema cannot express. Each problem names where it is (`loc`, as FastAPI's own
validation errors do), so the editor shows it next to the field.

- the approval chain's amount bands, per risk tier, run from zero to no upper bound with no
  gap and no overlap;
- approver levels are distinct, and every chain names levels (or admin);
- every role a chain can need (high risk's extra level included) has an active user;
- every reason sentence, placeholders filled in, fits the decline notice;
- when more reasons can hold at once than the notice gives, every rule has a rank.
"""

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.credit.policy import (
    MAX_NOTICE_REASONS,
    NOTICE_REASON_MAX_CHARS,
    Condition,
    CreditPolicy,
    Metric,
)
from shared.errors import InvalidInput
from shared.users.models import User
from shared.workflow.states import RiskTier, Role

Problem = dict[str, Any]
NOT_LEVELS = frozenset({Role.APPLICANT.value, Role.RISK_OFFICER.value, Role.ADMIN.value})
ROOT = "document"
# The widest {actual} / {limit} a reason can show: "100000000" or "123.45678%".
_WIDEST_FILL = "X" * 12


def _problem(loc: Iterable[str | int], msg: str, kind: str) -> Problem:
    return {"loc": [ROOT, *loc], "msg": msg, "type": kind}


def parse(document: dict[str, Any]) -> CreditPolicy:
    """The document as a `CreditPolicy`, or 422 `policy_invalid` with a problem per field."""
    try:
        return CreditPolicy.model_validate(document)
    except ValidationError as exc:
        problems = [
            _problem(err["loc"], err["msg"], err["type"])
            for err in exc.errors(include_url=False, include_context=False)
        ]
        raise InvalidInput(
            "The policy is not valid.", code="policy_invalid", details=problems
        ) from exc


def check(session: Session, document: dict[str, Any]) -> CreditPolicy:
    """The document if it may be proposed; else 422 `policy_invalid` listing every problem."""
    policy = parse(document)
    problems = [
        *_band_problems(policy),
        *_level_problems(policy),
        *_staffing_problems(session, policy),
        *_wording_problems(policy),
        *_ranking_problems(policy),
    ]
    if problems:
        raise InvalidInput("The policy is not consistent.", code="policy_invalid", details=problems)
    return policy


def _band_problems(policy: CreditPolicy) -> list[Problem]:
    problems: list[Problem] = []
    reported: set[tuple[int, str]] = set()

    def report(index: int, field: str, msg: str, kind: str) -> None:
        if (index, kind) not in reported:  # one band can fail for several tiers alike
            reported.add((index, kind))
            problems.append(_problem(["approval_chains", index, field], msg, kind))

    for tier in RiskTier:
        bands = [
            (i, rule)
            for i, rule in enumerate(policy.approval_chains)
            if rule.tiers is None or tier in rule.tiers
        ]
        end: Decimal | None = Decimal(0)  # where the previous band stopped; None: unbounded
        for index, rule in bands:
            if end is None:
                report(index, "above", f"Overlaps an unbounded band for {tier} risk.", "overlap")
                continue
            start = end if rule.above is None else rule.above
            if start < end:
                report(index, "above", f"Overlaps the band below it ({tier} risk).", "overlap")
            elif start > end:
                report(index, "above", f"Leaves {end} to {start} uncovered ({tier} risk).", "gap")
            if rule.max_amount is not None and rule.max_amount <= start:
                report(index, "max_amount", "The band is empty: raise its maximum.", "empty_band")
            end = rule.max_amount
        if not bands:
            problems.append(
                _problem(["approval_chains"], f"No band covers {tier} risk.", "missing_band")
            )
        elif end is not None:
            index = bands[-1][0]
            report(index, "max_amount", f"Amounts above {end} have no chain.", "missing_band")
    return problems


def _level_problems(policy: CreditPolicy) -> list[Problem]:
    """Approver levels are distinct and none is a role that decides nothing; every chain and
    SLA names a level (or admin)."""
    problems = []
    levels = policy.approver_levels
    for index, level in enumerate(levels):
        if level in NOT_LEVELS:
            problems.append(
                _problem(["approver_levels", index], f"{level} is not an approver level.", "role")
            )
        elif level in levels[:index]:
            problems.append(
                _problem(["approver_levels", index], f"{level} is listed twice.", "duplicate")
            )
    holders = {*levels, Role.ADMIN.value}
    for index, rule in enumerate(policy.approval_chains):
        for position, role in enumerate(rule.roles):
            if role not in holders:
                problems.append(
                    _problem(
                        ["approval_chains", index, "roles", position],
                        f"{role} is not one of the approver levels.",
                        "unknown_level",
                    )
                )
    for role in policy.role_sla_hours:
        if role not in holders:
            problems.append(
                _problem(
                    ["role_sla_hours", role],
                    f"{role} is not one of the approver levels.",
                    "unknown_level",
                )
            )
    return problems


def _needed_roles(policy: CreditPolicy) -> dict[str, list[int]]:
    """Each role a chain can need, with the bands that need it."""
    needed: dict[str, list[int]] = {}
    ladder = policy.approver_levels
    for index, rule in enumerate(policy.approval_chains):
        roles = list(rule.roles)
        can_be_high = rule.tiers is None or RiskTier.HIGH in rule.tiers
        if policy.high_risk_adds_level and can_be_high and roles[-1] in ladder:
            rung = ladder.index(roles[-1]) + 1
            if rung < len(ladder):
                roles.append(ladder[rung])
        for role in roles:
            needed.setdefault(role, []).append(index)
    return needed


def _staffing_problems(session: Session, policy: CreditPolicy) -> list[Problem]:
    needed = _needed_roles(policy)
    staffed = set(
        session.scalars(
            select(User.role)
            .where(User.role.in_(list(needed)), User.is_active.is_(True))
            .distinct()
        )
    )
    return [
        _problem(
            ["approval_chains", index, "roles"], f"No active user has the role {role}.", "unstaffed"
        )
        for role, bands in needed.items()
        if role not in staffed
        for index in bands
    ]


VAGUE_REASONS = (
    "internal standard",
    "internal polic",
    "credit polic",
    "insufficient score",
    "insufficient credit score",
    "did not meet our",
    "failed to achieve",
    "not qualify",
)
"""Phrases Reg B's commentary (1002.9(b)(2), comment 2) says are no specific reason: a notice
that says only this tells the applicant nothing they could act on or contest."""


def _vague(message: str) -> bool:
    lowered = message.lower()
    return any(phrase in lowered for phrase in VAGUE_REASONS)


def _vagueness(loc: list[str | int]) -> Problem:
    return _problem(
        loc,
        "Say the specific reason (what in the application or the credit report led to it): "
        "'internal standards' or 'insufficient score' is no reason the applicant can act on.",
        "vague_reason",
    )


def _catalogue_problems(policy: CreditPolicy) -> list[Problem]:
    problems = []
    seen: set[str] = set()
    for index, reason in enumerate(policy.decline_reasons):
        if reason.code in seen:
            problems.append(
                _problem(
                    ["decline_reasons", index, "code"],
                    f"{reason.code} is in the catalogue twice.",
                    "duplicate",
                )
            )
        seen.add(reason.code)
        if _vague(reason.message):
            problems.append(_vagueness(["decline_reasons", index, "message"]))
    return problems


def _wording_problems(policy: CreditPolicy) -> list[Problem]:
    problems = _catalogue_problems(policy)
    for index, rule in enumerate(policy.rejection_rules):
        if _vague(rule.message):
            problems.append(_vagueness(["rejection_rules", index, "message"]))
        try:
            shown = rule.message.format(actual=_WIDEST_FILL, limit=_WIDEST_FILL)
        except (KeyError, IndexError, ValueError):
            problems.append(
                _problem(
                    ["rejection_rules", index, "message"],
                    "Only {actual} and {limit} may be filled in.",
                    "placeholder",
                )
            )
            continue
        if len(shown) > NOTICE_REASON_MAX_CHARS:
            problems.append(
                _problem(
                    ["rejection_rules", index, "message"],
                    f"{len(shown)} characters once filled in; the notice allows "
                    f"{NOTICE_REASON_MAX_CHARS}.",
                    "too_long",
                )
            )
    return problems


def _at_once(conditions: list[Condition]) -> int:
    """The most of these conditions (on one metric) that one value satisfies."""
    points = sorted({c.value for c in conditions})
    # Each threshold, and a value just below and above it, is where the count can change.
    step = Decimal("0.0001")
    candidates = [p + d for p in points for d in (-step, Decimal(0), step)]
    return max(sum(1 for c in conditions if _holds(c, value)) for value in candidates)


def _holds(condition: Condition, value: Decimal) -> bool:
    return {
        "lt": value < condition.value,
        "lte": value <= condition.value,
        "gt": value > condition.value,
        "gte": value >= condition.value,
        "eq": value == condition.value,
    }[condition.op]


def _ranking_problems(policy: CreditPolicy) -> list[Problem]:
    by_metric: dict[Metric, list[Condition]] = {}
    for rule in policy.rejection_rules:
        by_metric.setdefault(rule.metric, []).append(rule)
    # Metrics are treated as independent: any mix of them can occur in one application.
    possible = sum(_at_once(conditions) for conditions in by_metric.values())
    limit = min(policy.max_reasons, MAX_NOTICE_REASONS)
    if possible <= limit:
        return []
    return [
        _problem(
            ["rejection_rules", index, "rank"],
            f"Up to {possible} reasons can hold at once and the notice gives {limit}: "
            "rank every rule so the most important are kept.",
            "unranked",
        )
        for index, rule in enumerate(policy.rejection_rules)
        if rule.rank is None
    ]
