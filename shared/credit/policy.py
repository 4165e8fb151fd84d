"""Credit policy as data: the scoring rules, risk tiers and approval chains.

The document lives in the `policies` table, one row per version (the first seeded from
`DEFAULT_POLICY`), so risk officers change thresholds without a deploy: `governance` runs a
version's life cycle (draft, proposal, four-eyes approval, activation). This module validates
the document's shape and finds the active version; `scoring` and `approvals.chain` interpret it.
"""

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import cache
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from shared import clock, metrics
from shared.audit.service import Actor, record
from shared.caching import scope_stamp, touch
from shared.config import get_settings
from shared.credit.models import Policy
from shared.db import on_commit, unit_of_work
from shared.errors import InvalidInput
from shared.users.models import User
from shared.workflow.states import BUILTIN_LADDER, PolicyStatus, RiskTier, advance_policy

POLICY_NAME = "credit"

Metric = Literal[
    "credit_score", "debt_to_income", "monthly_income", "delinquencies_24m", "bankruptcies_7y"
]
Operator = Literal["lt", "lte", "gt", "gte", "eq"]


RoleName = Annotated[str, Field(pattern=r"^[a-z][a-z_]{1,15}$")]
"""A role as users and stages store it (16 characters at most)."""

MAX_NOTICE_REASONS = 4
"""The most reasons a decline notice gives (the adverse-action notice's principal reasons)."""
NOTICE_REASON_MAX_CHARS = 200
"""The longest reason sentence the decline notice shows, placeholders filled in."""


class Condition(BaseModel):
    model_config = ConfigDict(extra="forbid")

    metric: Metric
    op: Operator
    value: Decimal


class RejectionRule(Condition):
    code: str = Field(min_length=1, max_length=64)
    message: str = Field(min_length=1)  # may use {actual} and {limit}
    # Which reasons the notice keeps when more hold than it shows: lowest rank first, then
    # the list's order. Required of every rule when more than `max_reasons` could hold at once.
    rank: int | None = Field(default=None, ge=1)


class DeclineReason(BaseModel):
    """A principal reason a person may give for an adverse action (a human decline, a
    counteroffer, an incomplete close), in the specific plain language the applicant's notice
    quotes (Reg B 1002.9(b)(2): "internal standards" or "insufficient score" do not count)."""

    model_config = ConfigDict(extra="forbid")

    code: str = Field(pattern=r"^[A-Z][A-Z0-9_]{1,63}$")
    message: str = Field(min_length=1, max_length=NOTICE_REASON_MAX_CHARS)


DEFAULT_DECLINE_REASONS: list[dict[str, str]] = [
    # After the sample notice's reasons (Reg B appendix C, form C-1), in the applicant's terms.
    {
        "code": "INCOME_INSUFFICIENT",
        "message": "Your income is not enough for the amount of credit you asked for.",
    },
    {
        "code": "EXCESSIVE_OBLIGATIONS",
        "message": "Your existing debt payments are too high in relation to your income.",
    },
    {
        "code": "DELINQUENT_OBLIGATIONS",
        "message": "Your credit report shows late payments on past or current debts.",
    },
    {
        "code": "LIMITED_CREDIT_HISTORY",
        "message": "Your credit history is too short for us to judge how you would repay.",
    },
    {
        "code": "BANKRUPTCY",
        "message": "A bankruptcy is on record within the last 7 years.",
    },
    {
        "code": "UNABLE_TO_VERIFY_INCOME",
        "message": "We could not verify the income you declared.",
    },
    {
        "code": "UNABLE_TO_VERIFY_EMPLOYMENT",
        "message": "We could not verify your employment.",
    },
    {
        "code": "TEMPORARY_EMPLOYMENT",
        "message": "Your employment is temporary or irregular.",
    },
    {
        "code": "AMOUNT_TOO_HIGH",
        "message": "The amount you asked for is too high for your income and the term.",
    },
    {
        "code": "TERM_TOO_LONG",
        "message": "The repayment term you asked for is longer than we offer for this amount.",
    },
    {
        "code": "INCOMPLETE_APPLICATION",
        "message": "Your application is incomplete: we did not receive the information we "
        "asked you for.",
    },
]


class RiskTierRule(BaseModel):
    model_config = ConfigDict(extra="forbid")

    tier: RiskTier
    when: Literal["any", "all"]
    conditions: list[Condition]


class ChainRule(BaseModel):
    """A band of amounts (for some risk tiers, or all) and the roles that approve it, lowest
    first. The band is (`above`, `max_amount`]: `above` omitted, it starts where the previous
    band of the same tiers ended (zero for the first)."""

    model_config = ConfigDict(extra="forbid")

    above: Decimal | None = Field(default=None, ge=0)
    max_amount: Decimal | None  # None: no upper bound
    tiers: list[RiskTier] | None = None  # None: every tier
    roles: list[RoleName] = Field(min_length=1)  # approver levels (or admin), lowest first


class CreditPolicy(BaseModel):
    model_config = ConfigDict(extra="forbid")

    def sla_hours(self, role: str) -> int:
        """How long a stage of `role` may wait before it is overdue."""
        return self.role_sla_hours.get(role, self.stage_sla_hours)

    reference_annual_rate: Decimal = Field(ge=0, le=1)
    max_reasons: int = Field(ge=1, le=MAX_NOTICE_REASONS)
    rejection_rules: list[RejectionRule]  # most important first
    risk_tiers: list[RiskTierRule]  # first match wins
    default_tier: RiskTier
    approval_chains: list[ChainRule]  # ascending max_amount; the last is unbounded
    high_risk_adds_level: bool
    stage_sla_hours: int = Field(gt=0)
    # The SLA of a role's stages where it differs from `stage_sla_hours`.
    role_sla_hours: dict[RoleName, Annotated[int, Field(gt=0)]] = Field(default_factory=dict)
    # The approver levels, lowest first: who may hold whose stage, whom high risk adds, where
    # escalation goes. A level not built in (`credit_committee`) is a role the policy brings:
    # admins can give it to users once a version names it.
    approver_levels: list[RoleName] = Field(
        default_factory=lambda: list(BUILTIN_LADDER), min_length=1
    )
    # Whether the final rejection email quotes the rejecting approver's comment to the
    # applicant. Documents stored before this flag existed lack it: they get the default.
    share_rejection_comment: bool = True
    # Whether applicants see their request's risk tier. It is an internal grading, so hidden
    # unless a version says "shown"; documents stored before this flag existed get "hidden".
    risk_tier_for_applicants: Literal["hidden", "shown"] = "hidden"
    # The reasons people choose from when they decline, make a counteroffer or close a request
    # as incomplete; the adverse action notice quotes them. Documents stored before the
    # catalogue existed get the default one.
    decline_reasons: list[DeclineReason] = Field(
        default_factory=lambda: [DeclineReason(**r) for r in DEFAULT_DECLINE_REASONS],
        min_length=1,
    )

    def decline_reason(self, code: str) -> DeclineReason | None:
        """The catalogue's reason with this code, if it has one."""
        return next((r for r in self.decline_reasons if r.code == code), None)

    def reasons_for(self, codes: list[str]) -> list[dict[str, str]]:
        """The catalogue's {code, message} for each code, in the order given (the approver's:
        most important first); 422 `unknown_reason_code` naming any the catalogue lacks."""
        found = [(code, self.decline_reason(code)) for code in codes]
        unknown = [code for code, reason in found if reason is None]
        if unknown:
            raise InvalidInput(
                f"Unknown reason code(s): {', '.join(unknown)}. Choose from GET /decline-reasons.",
                code="unknown_reason_code",
                details={"unknown": unknown},
            )
        return [reason.model_dump() for _, reason in found if reason is not None]


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
    "risk_tier_for_applicants": "hidden",
    "decline_reasons": DEFAULT_DECLINE_REASONS,
}


POLICY_SCOPE = "policy"
"""The read-cache scope an activation bumps: every process's policy cache asks Redis for it."""

_CHECK_SECONDS = 1.0
"""How often a warm process asks Redis whether another version became active: an activation
reaches every process within about this long, at one Redis GET per second at most."""


@dataclass(frozen=True)
class ActivePolicy:
    """The version in force and its document, validated."""

    version: int
    policy: CreditPolicy


@dataclass
class _Entry:
    active: ActivePolicy
    stamp: str | None  # the policy scope's version when it was read (None: Redis was away)
    expires: float  # the TTL, or the next scheduled activation if sooner
    checked: float


@cache
def _policy_cache() -> dict[str, _Entry]:
    # One entry per process: a warm function scores and routes many requests with one read of
    # the document. An activation bumps the policy scope in Redis, which every process checks
    # at most once a second; a scheduled one is due when the entry expires; and should Redis be
    # away, the entry still lasts no longer than POLICY_CACHE_SECONDS.
    return {}


_policy_lock = threading.Lock()  # the local gateway runs functions on several threads


def load(session: Session) -> CreditPolicy:
    """The credit policy in force, validated (see `active`)."""
    return active(session).policy


def active(session: Session, *, fresh: bool = False) -> ActivePolicy:
    """The active version of the credit policy. A warm function reuses it until another
    version is activated (seen within about a second) or POLICY_CACHE_SECONDS pass; a
    version scheduled to take over is promoted by the first process that needs the policy
    after its time. `fresh` asks Redis now, not within the second: for answers the read
    cache stores under the policy scope's version it has just read, which must not be an
    older version's."""
    now = clock.utcnow().timestamp()
    with _policy_lock:
        entry = _policy_cache().get(POLICY_NAME)
    if entry is not None and now < entry.expires and _still_current(entry, now, fresh):
        metrics.CACHE_HITS.labels("policy").inc()
        return entry.active
    metrics.CACHE_MISSES.labels("policy").inc()
    stamp = scope_stamp(POLICY_SCOPE)  # read first: an activation after it is seen next time
    loaded, next_activation = _read(session)
    ttl = get_settings().policy_cache_seconds
    expires = now + ttl if next_activation is None else min(now + ttl, next_activation)
    with _policy_lock:
        _policy_cache()[POLICY_NAME] = _Entry(loaded, stamp, expires, now)
    return loaded


def defined_levels(session: Session) -> set[str]:
    """The approver levels some version in play (not retired) defines: the roles, beyond the
    built-in ones, that users may be given."""
    documents = session.scalars(
        select(Policy.document).where(
            Policy.name == POLICY_NAME, Policy.status != PolicyStatus.RETIRED
        )
    )
    return {
        level for document in documents for level in document.get("approver_levels", BUILTIN_LADDER)
    }


_versions: dict[int, CreditPolicy] = {}  # past versions never change: kept once read


def at_version(session: Session, version: int | None) -> CreditPolicy:
    """The document of a given version (what made a stage, say); the active one for None
    (rows from before versions were kept)."""
    if version is None:
        return load(session)
    with _policy_lock:
        found = _versions.get(version)
    if found is not None:
        return found
    row = session.scalars(
        select(Policy).where(Policy.name == POLICY_NAME, Policy.version == version)
    ).one()
    found = CreditPolicy.model_validate(row.document)
    if row.status != PolicyStatus.DRAFT:  # frozen from its proposal on
        with _policy_lock:
            _versions[version] = found
    return found


def _still_current(entry: _Entry, now: float, fresh: bool) -> bool:
    if not fresh and now - entry.checked < _CHECK_SECONDS:
        return True
    stamp = scope_stamp(POLICY_SCOPE)
    if stamp is not None and stamp != entry.stamp:
        return False
    entry.checked = now
    return True


def _read(session: Session) -> tuple[ActivePolicy, float | None]:
    """The active version (promoting a scheduled one that is due) and when the next
    scheduled activation falls, if any."""
    now = clock.utcnow()
    if _due(session, now):
        # Its own short transaction: the caller's may hold locks or be read-only.
        with unit_of_work() as own:
            promote_due(own)
    row = session.scalars(
        select(Policy).where(Policy.name == POLICY_NAME, Policy.status == PolicyStatus.ACTIVE)
    ).one()
    upcoming = session.scalar(
        select(func.min(Policy.active_from)).where(
            Policy.name == POLICY_NAME,
            Policy.status == PolicyStatus.APPROVED,
            Policy.active_from > now,
        )
    )
    active = ActivePolicy(row.version, CreditPolicy.model_validate(row.document))
    return active, None if upcoming is None else upcoming.timestamp()


def _due(session: Session, now: datetime) -> bool:
    return (
        session.scalar(
            select(Policy.id)
            .where(
                Policy.name == POLICY_NAME,
                Policy.status == PolicyStatus.APPROVED,
                Policy.active_from <= now,
            )
            .limit(1)
        )
        is not None
    )


def promote_due(session: Session) -> Policy | None:
    """Activate the approved version whose scheduled time has come (the latest, if several:
    earlier ones never got their turn and are retired), retiring the active one; the version
    activated, or None. Concurrent callers serialise on the rows' locks: one promotes, the
    others find nothing due."""
    now = clock.utcnow()
    due = list(
        session.scalars(
            select(Policy)
            .where(
                Policy.name == POLICY_NAME,
                Policy.status == PolicyStatus.APPROVED,
                Policy.active_from <= now,
            )
            .order_by(Policy.active_from.desc(), Policy.version.desc())
            .with_for_update()
        )
    )
    if not due:
        return None
    newest, *superseded = due
    switch_active(session, newest, now, superseded=superseded)
    return newest


def switch_active(
    session: Session, version: Policy, now: datetime, superseded: Sequence[Policy] = ()
) -> None:
    """Make `version` the active one at `now`: the current one (and `superseded`) retired
    first, so the one-active index never sees two; every cache follows after commit."""
    current = session.scalars(
        select(Policy)
        .where(Policy.name == version.name, Policy.status == PolicyStatus.ACTIVE)
        .with_for_update()
    ).first()
    retired = [v for v in [current, *superseded] if v is not None and v.id != version.id]
    for old in retired:
        advance_policy(old, PolicyStatus.RETIRED)
        old.retired_at = now
    session.flush()
    advance_policy(version, PolicyStatus.ACTIVE)
    version.activated_at = now
    version.active_from = version.active_from or now
    session.flush()
    record(
        session,
        Actor.system("policy") if version.activated_by is None else _actor(session, version),
        "policy.activated",
        "policy",
        version.id,
        after={"version": version.version, "retired": [v.version for v in retired]},
    )
    # Every process's policy cache and every cached staff read follow the new version; this
    # process's at once.
    touch(session, POLICY_SCOPE, "staff")
    on_commit(session, _forget_cached)


def _forget_cached() -> None:
    with _policy_lock:
        _policy_cache().clear()


def _actor(session: Session, version: Policy) -> Actor:
    user = session.get(User, version.activated_by)
    return Actor.of(user) if user is not None else Actor.system("policy")
