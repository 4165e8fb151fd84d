"""Workflow metrics for the staff dashboard: request volume by day and status, outcomes,
time to decision by approval stage, and the funnel from submitted to approved.

The filters have the same names and meaning as the request list's (`RequestFilters`), so a
chart's bar and the request list behind it select the same requests (drill-down).
"""

from datetime import date, datetime
from decimal import Decimal
from typing import get_args

from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy import ColumnElement, Date, cast, func, select
from sqlalchemy.orm import Session

from shared.approvals.models import ApprovalStage
from shared.credit.models import CreditRequest
from shared.credit.schemas import Money, StageRole
from shared.workflow.states import RequestStatus, Role


class StatsFilters(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: list[RequestStatus] = Field(default_factory=list)
    created_from: datetime | None = None
    created_to: datetime | None = None  # exclusive, as in the request list
    amount_min: Money | None = None
    amount_max: Money | None = None

    @model_validator(mode="after")
    def ranges_are_ordered(self) -> "StatsFilters":
        if self.created_from and self.created_to and self.created_from >= self.created_to:
            raise ValueError("created_from must be before created_to")
        if (
            self.amount_min is not None
            and self.amount_max is not None
            and self.amount_min > self.amount_max
        ):
            raise ValueError("amount_min must not exceed amount_max")
        return self


class DayVolume(BaseModel):
    day: date  # UTC
    status: RequestStatus
    count: int
    amount: Money


class Outcome(BaseModel):
    status: RequestStatus
    count: int
    amount: Money


class StageTiming(BaseModel):
    """Time from a stage's assignment to its decision, over the stages decided."""

    role: Role
    decided: int
    # A chain may hold one role twice, so this can be below `decided`: it is the length of
    # the request list filtered by `stage_role` (the drill-down).
    requests: int
    average_seconds: float
    median_seconds: float


class FunnelStep(BaseModel):
    step: str
    label: str
    count: int
    statuses: list[RequestStatus]  # the request list filter that shows this step's requests


class StatsOut(BaseModel):
    total: int
    amount: Money
    volume: list[DayVolume]
    outcomes: list[Outcome]
    time_to_decision: list[StageTiming]
    funnel: list[FunnelStep]


def _conditions(filters: StatsFilters) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if filters.status:
        conditions.append(CreditRequest.status.in_([s.value for s in filters.status]))
    if filters.created_from is not None:
        conditions.append(CreditRequest.created_at >= filters.created_from)
    if filters.created_to is not None:
        conditions.append(CreditRequest.created_at < filters.created_to)
    if filters.amount_min is not None:
        conditions.append(CreditRequest.amount >= filters.amount_min)
    if filters.amount_max is not None:
        conditions.append(CreditRequest.amount <= filters.amount_max)
    return conditions


# The stages the time-to-decision chart averages over.
_TIMED_STAGE = (ApprovalStage.assigned_at.is_not(None), ApprovalStage.decided_at.is_not(None))


def has_timed_stage(role: StageRole) -> ColumnElement[bool]:
    """A request behind the chart's bar for `role`: one with a stage of it assigned and decided."""
    return (
        select(ApprovalStage.id)
        .where(
            ApprovalStage.request_id == CreditRequest.id, ApprovalStage.role == role, *_TIMED_STAGE
        )
        .exists()
    )


def _seconds(value: Decimal | float | None) -> float:
    return round(float(value or 0), 1)


def summarize(session: Session, filters: StatsFilters) -> StatsOut:
    where = _conditions(filters)
    day = cast(func.timezone("UTC", CreditRequest.created_at), Date)
    volume = [
        DayVolume(day=d, status=RequestStatus(s), count=n, amount=a)
        for d, s, n, a in session.execute(
            select(day, CreditRequest.status, func.count(), func.sum(CreditRequest.amount))
            .where(*where)
            .group_by(day, CreditRequest.status)
            .order_by(day, CreditRequest.status)
        )
    ]
    outcomes = [
        Outcome(status=RequestStatus(s), count=n, amount=a)
        for s, n, a in session.execute(
            select(CreditRequest.status, func.count(), func.sum(CreditRequest.amount))
            .where(*where)
            .group_by(CreditRequest.status)
            .order_by(CreditRequest.status)
        )
    ]

    elapsed = func.extract("epoch", ApprovalStage.decided_at - ApprovalStage.assigned_at)
    timings = {
        Role(role): StageTiming(
            role=Role(role),
            decided=n,
            requests=requests,
            average_seconds=_seconds(avg),
            median_seconds=_seconds(median),
        )
        for role, n, requests, avg, median in session.execute(
            select(
                ApprovalStage.role,
                func.count(),
                func.count(func.distinct(ApprovalStage.request_id)),
                func.avg(elapsed),
                func.percentile_cont(0.5).within_group(elapsed),
            )
            .join(CreditRequest, CreditRequest.id == ApprovalStage.request_id)
            .where(*where, *_TIMED_STAGE)
            .group_by(ApprovalStage.role)
        )
    }
    # Only roles the list's `stage_role` accepts get a bar, so every bar can drill down.
    time_to_decision = [timings[Role(r)] for r in get_args(StageRole) if Role(r) in timings]

    counts = {o.status: o.count for o in outcomes}
    # Each step counts exactly the requests its `statuses` select in the request list.
    reviewed = [RequestStatus.PENDING_APPROVAL, RequestStatus.APPROVED, RequestStatus.REJECTED]
    decided = [RequestStatus.APPROVED, RequestStatus.REJECTED]
    total = sum(counts.values())
    funnel = [
        FunnelStep(step="submitted", label="Submitted", count=total, statuses=[]),
        FunnelStep(
            step="passed_scoring",
            label="Passed automatic analysis",
            count=sum(counts.get(s, 0) for s in reviewed),
            statuses=reviewed,
        ),
        FunnelStep(
            step="decided",
            label="Decided by approvers",
            count=sum(counts.get(s, 0) for s in decided),
            statuses=decided,
        ),
        FunnelStep(
            step="approved",
            label="Approved",
            count=counts.get(RequestStatus.APPROVED, 0),
            statuses=[RequestStatus.APPROVED],
        ),
    ]
    return StatsOut(
        total=total,
        amount=sum((o.amount for o in outcomes), Decimal("0")),
        volume=volume,
        outcomes=outcomes,
        time_to_decision=time_to_decision,
        funnel=funnel,
    )
