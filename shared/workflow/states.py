"""The credit workflow's states and transitions: the one place that says what may follow what.

Every step changes a request or a stage through `advance_request` / `advance_stage`, so an
illegal move (deciding a withdrawn request, approving a stage twice) fails the same way
everywhere: with `Conflict`, which the API answers as 409.
"""

from collections.abc import Sequence
from enum import StrEnum
from typing import Literal, Protocol, get_args

from shared.errors import Conflict


class RequestStatus(StrEnum):
    SUBMITTED = "submitted"
    AUTO_REJECTED = "auto_rejected"
    PENDING_APPROVAL = "pending_approval"
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    # Returned to the applicant with an approver's questions; the stage's SLA is paused.
    INFO_REQUESTED = "info_requested"
    # Closed because the applicant did not answer in time (Reg B notice of incompleteness).
    INCOMPLETE = "incomplete"
    # The final approver approved other terms; the applicant accepts or declines them.
    OFFER_MADE = "offer_made"
    # The applicant declined the counteroffer, or let it lapse (an adverse action).
    OFFER_DECLINED = "offer_declined"
    # The applicant asked a person to review an automatic decline.
    REVIEW_REQUESTED = "review_requested"


class StageStatus(StrEnum):
    WAITING = "waiting"  # a later stage of the chain, not yet reached
    PENDING = "pending"  # the current stage, awaiting its assignee's decision
    INFO_REQUESTED = "info_requested"  # the current stage, paused on the applicant's answer
    APPROVED = "approved"
    REJECTED = "rejected"
    CANCELLED = "cancelled"  # the request ended (rejected or withdrawn) before this stage


class RiskTier(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class Role(StrEnum):
    APPLICANT = "applicant"
    ANALYST = "analyst"
    MANAGER = "manager"
    DIRECTOR = "director"
    ADMIN = "admin"
    RISK_OFFICER = "risk_officer"  # writes and approves credit policy versions


APPROVER_LADDER: tuple[Role, ...] = (Role.ANALYST, Role.MANAGER, Role.DIRECTOR)
"""Approval levels, lowest first; escalation goes one step up (above director: admin)."""

TimedRole = Literal["analyst", "manager", "director", "admin"]
TIMED_ROLES: tuple[TimedRole, ...] = get_args(TimedRole)
"""The roles whose stages the dashboard times: the approver ladder, and admin above it. Each
has a flag on the request (`timed_<role>`) and a bar on the time-to-decision chart."""

STAFF_ROLES = frozenset({Role.ANALYST, Role.MANAGER, Role.DIRECTOR, Role.ADMIN, Role.RISK_OFFICER})

POLICY_AUTHORS = frozenset({Role.RISK_OFFICER, Role.ADMIN})
"""Who may draft, propose, approve and activate credit policy versions (never their own
proposal: four eyes)."""


class PolicyStatus(StrEnum):
    DRAFT = "draft"  # editable by its author
    PROPOSED = "proposed"  # frozen, with a reason, awaiting a second person's approval
    APPROVED = "approved"  # may be activated, now or from a given time (then "scheduled")
    ACTIVE = "active"  # the one version that decides; exactly one at any moment
    RETIRED = "retired"  # replaced by a later version, or a draft/proposal withdrawn


REQUEST_TRANSITIONS: dict[RequestStatus, frozenset[RequestStatus]] = {
    RequestStatus.SUBMITTED: frozenset(
        {RequestStatus.AUTO_REJECTED, RequestStatus.PENDING_APPROVAL, RequestStatus.WITHDRAWN}
    ),
    RequestStatus.PENDING_APPROVAL: frozenset(
        {
            RequestStatus.APPROVED,
            RequestStatus.REJECTED,
            RequestStatus.WITHDRAWN,
            RequestStatus.INFO_REQUESTED,
            RequestStatus.OFFER_MADE,
        }
    ),
    # Answered: back to its stage, or declined by the re-score of amended data; rejected by the
    # approver from "needs more info"; closed unanswered; withdrawn.
    RequestStatus.INFO_REQUESTED: frozenset(
        {
            RequestStatus.PENDING_APPROVAL,
            RequestStatus.AUTO_REJECTED,
            RequestStatus.REJECTED,
            RequestStatus.INCOMPLETE,
            RequestStatus.WITHDRAWN,
        }
    ),
    RequestStatus.OFFER_MADE: frozenset({RequestStatus.APPROVED, RequestStatus.OFFER_DECLINED}),
    # An automatic decline is final unless the applicant asks for a human review in time.
    RequestStatus.AUTO_REJECTED: frozenset({RequestStatus.REVIEW_REQUESTED}),
    # The reviewer confirms the decline (a human one now) or overturns it: the normal chain.
    RequestStatus.REVIEW_REQUESTED: frozenset(
        {RequestStatus.REJECTED, RequestStatus.PENDING_APPROVAL}
    ),
    RequestStatus.APPROVED: frozenset(),
    RequestStatus.REJECTED: frozenset(),
    RequestStatus.WITHDRAWN: frozenset(),
    RequestStatus.INCOMPLETE: frozenset(),
    RequestStatus.OFFER_DECLINED: frozenset(),
}

STAGE_TRANSITIONS: dict[StageStatus, frozenset[StageStatus]] = {
    StageStatus.WAITING: frozenset({StageStatus.PENDING, StageStatus.CANCELLED}),
    StageStatus.PENDING: frozenset(
        {
            StageStatus.APPROVED,
            StageStatus.REJECTED,
            StageStatus.CANCELLED,
            StageStatus.INFO_REQUESTED,
        }
    ),
    StageStatus.INFO_REQUESTED: frozenset(
        {StageStatus.PENDING, StageStatus.REJECTED, StageStatus.CANCELLED}
    ),
    StageStatus.APPROVED: frozenset(),
    StageStatus.REJECTED: frozenset(),
    StageStatus.CANCELLED: frozenset(),
}

POLICY_TRANSITIONS: dict[PolicyStatus, frozenset[PolicyStatus]] = {
    PolicyStatus.DRAFT: frozenset({PolicyStatus.PROPOSED}),
    PolicyStatus.PROPOSED: frozenset({PolicyStatus.APPROVED}),
    PolicyStatus.APPROVED: frozenset({PolicyStatus.ACTIVE, PolicyStatus.RETIRED}),
    PolicyStatus.ACTIVE: frozenset({PolicyStatus.RETIRED}),
    PolicyStatus.RETIRED: frozenset(),
}

FINAL_REQUEST_STATES = frozenset(s for s, nxt in REQUEST_TRANSITIONS.items() if not nxt)
"""States nothing follows."""

DECIDED_REQUEST_STATES = FINAL_REQUEST_STATES | {RequestStatus.AUTO_REJECTED}
"""States a decision has been made in: the final ones, and an automatic decline (which a
human review may still reopen)."""

ADVERSE_ACTION_STATES = frozenset(
    {
        RequestStatus.AUTO_REJECTED,
        RequestStatus.REJECTED,
        RequestStatus.INCOMPLETE,
        RequestStatus.OFFER_DECLINED,
    }
)
"""Decisions the applicant is owed an adverse action notice for (Reg B 1002.9): a decline,
automatic or human, an incomplete close, and a counteroffer that was not accepted."""


class HasStatus(Protocol):
    status: str


BUILTIN_LADDER: tuple[str, ...] = tuple(role.value for role in APPROVER_LADDER)

LEVEL_ACCESS = Role.ANALYST
"""Whose routes a user holding an approver level that a credit policy defines (such as
`credit_committee`) may call: an approver's. Such a level is a role string, not a `Role`:
the policy brings it, and no code names it."""


def access_role(role: str) -> Role:
    """The built-in role whose access (the route table) a user's role has: itself, or an
    approver's for an approver level a policy defines."""
    try:
        return Role(role)
    except ValueError:
        return LEVEL_ACCESS


def next_escalation_role(role: str, ladder: Sequence[str] = BUILTIN_LADDER) -> str:
    """Who a stalled stage held by `role` escalates to: the next level of the policy's
    approver ladder, admin above the top."""
    if role in ladder and ladder.index(role) + 1 < len(ladder):
        return ladder[ladder.index(role) + 1]
    return Role.ADMIN.value


def may_hold(role: str, stage_role: str, ladder: Sequence[str] = BUILTIN_LADDER) -> bool:
    """Whether a user of `role` may hold (and decide) a stage of `stage_role`: its own level or
    above on the policy's approver ladder, or admin (who receives escalations above the top)."""
    if role == Role.ADMIN:
        return True
    return (
        role in ladder and stage_role in ladder and ladder.index(role) >= ladder.index(stage_role)
    )


def _advance[S: StrEnum](
    subject: HasStatus, to: S, transitions: dict[S, frozenset[S]], kind: str
) -> None:
    current = type(to)(subject.status)
    if to not in transitions[current]:
        raise Conflict(
            f"A {kind} that is {current.value} cannot become {to.value}.",
            code="invalid_transition",
            details={"status": current.value, "requested": to.value},
        )
    subject.status = to.value


def advance_request(request: HasStatus, to: RequestStatus) -> None:
    """Move a request to `to`, or 409 `invalid_transition` if its state may not become that."""
    _advance(request, to, REQUEST_TRANSITIONS, "request")


def advance_policy(version: HasStatus, to: PolicyStatus) -> None:
    """Move a policy version to `to`, or 409 `invalid_transition`."""
    _advance(version, to, POLICY_TRANSITIONS, "policy version")


def advance_stage(stage: HasStatus, to: StageStatus) -> None:
    """Move a stage to `to`, or 409 `invalid_transition` if its state may not become that."""
    _advance(stage, to, STAGE_TRANSITIONS, "stage")
