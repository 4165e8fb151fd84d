"""Workflow metrics for the staff dashboard: request volume by day and status, outcomes,
time to decision by approval stage, and the funnel from submitted to approved — one
function per chart.

The filters have the same names and meaning as the request list's (`RequestFilters`), so a
chart's bar and the request list behind it select the same requests (drill-down).
"""

from decimal import Decimal
from typing import get_args

from sqlalchemy import ColumnElement, Date, cast, func, select
from sqlalchemy.orm import Session

from shared.approvals.models import ApprovalStage
from shared.credit.models import CreditRequest
from shared.tracking.schemas import (
    DayVolume,
    FunnelStep,
    Outcome,
    StageRole,
    StageTiming,
    StatsFilters,
    StatsOut,
)
from shared.workflow.states import RequestStatus, Role

Conditions = list[ColumnElement[bool]]


def _conditions(filters: StatsFilters) -> Conditions:
    conditions: Conditions = []
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


def volume_by_day(session: Session, where: Conditions) -> list[DayVolume]:
    """Requests and their amount per UTC day of submission and status."""
    day = cast(func.timezone("UTC", CreditRequest.created_at), Date)
    return [
        DayVolume(day=d, status=RequestStatus(s), count=n, amount=a)
        for d, s, n, a in session.execute(
            select(day, CreditRequest.status, func.count(), func.sum(CreditRequest.amount))
            .where(*where)
            .group_by(day, CreditRequest.status)
            .order_by(day, CreditRequest.status)
        )
    ]


def outcomes(session: Session, where: Conditions) -> list[Outcome]:
    """Requests and their amount per current status."""
    return [
        Outcome(status=RequestStatus(s), count=n, amount=a)
        for s, n, a in session.execute(
            select(CreditRequest.status, func.count(), func.sum(CreditRequest.amount))
            .where(*where)
            .group_by(CreditRequest.status)
            .order_by(CreditRequest.status)
        )
    ]


def time_to_decision(session: Session, where: Conditions) -> list[StageTiming]:
    """Per approving role, how long its decided stages took from assignment to decision.
    Only roles the list's `stage_role` accepts get a bar, so every bar can drill down."""
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
            .where(*where, *_TIMED_STAGE, ApprovalStage.role.in_(get_args(StageRole)))
            .group_by(ApprovalStage.role)
        )
    }
    return [timings[Role(r)] for r in get_args(StageRole) if Role(r) in timings]


def funnel(counts: dict[RequestStatus, int]) -> list[FunnelStep]:
    """Submitted → passed the automatic analysis → decided by approvers → approved. Each step
    counts exactly the requests its `statuses` select in the request list."""
    reviewed = [RequestStatus.PENDING_APPROVAL, RequestStatus.APPROVED, RequestStatus.REJECTED]
    decided = [RequestStatus.APPROVED, RequestStatus.REJECTED]
    return [
        FunnelStep(step="submitted", label="Submitted", count=sum(counts.values()), statuses=[]),
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


def summarize(session: Session, filters: StatsFilters) -> StatsOut:
    """Every chart of the dashboard over the requests the filters select."""
    where = _conditions(filters)
    by_status = outcomes(session, where)
    return StatsOut(
        total=sum(o.count for o in by_status),
        amount=sum((o.amount for o in by_status), Decimal("0")),
        volume=volume_by_day(session, where),
        outcomes=by_status,
        time_to_decision=time_to_decision(session, where),
        funnel=funnel({o.status: o.count for o in by_status}),
    )
