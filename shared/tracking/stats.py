"""Workflow metrics for the staff dashboard: request volume by day and status, outcomes,
time to decision by approval stage, and the funnel from submitted to approved — one
function per chart.

The filters have the same names and meaning as the request list's (`RequestFilters`), so a
chart's bar and the request list behind it select the same requests (drill-down).

At scale (issue 9 §4) the charts read running totals the database keeps
(shared/tracking/models.py) wherever those can answer the filters exactly: volume and
outcomes when the dates are whole UTC days (as the dashboard sends them) and no amount bound
is set, time to decision likewise. Other filters aggregate the rows.
"""

import math
from collections.abc import Sequence
from datetime import UTC, date, datetime, time
from decimal import Decimal

from sqlalchemy import ColumnElement, Date, cast, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from shared.approvals.models import ApprovalStage
from shared.credit.models import CreditRequest
from shared.tracking.models import RequestDayTotal, StageRoleTotal, StageTimingBucket
from shared.tracking.schemas import (
    DayVolume,
    FunnelStep,
    Outcome,
    StageRole,
    StageTiming,
    StatsFilters,
    StatsOut,
)
from shared.workflow.states import TIMED_ROLES, RequestStatus, Role

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


_TIMED_FLAG = {role: getattr(CreditRequest, f"timed_{role}") for role in TIMED_ROLES}


def has_timed_stage(role: StageRole) -> ColumnElement[bool]:
    """A request behind the chart's bar for `role`: one with a stage of it assigned and decided.
    The request's own flag, kept by a trigger on its stages: the bare column, so the planner
    matches the flag's partial indexes (a subquery per request took 1.7 s at 1M requests)."""
    return _TIMED_FLAG[role].expression


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
            .where(*where, *_TIMED_STAGE, ApprovalStage.role.in_(TIMED_ROLES))
            .group_by(ApprovalStage.role)
        )
    }
    return [timings[Role(r)] for r in TIMED_ROLES if Role(r) in timings]


def funnel(counts: dict[RequestStatus, int]) -> list[FunnelStep]:
    """Submitted → passed the automatic analysis → decided by approvers → approved. Each step
    counts exactly the requests its `statuses` select in the request list."""
    # Every status a request reaches only past the automatic analysis (a rejection may also
    # be a reviewer's confirming an automatic decline: the status cannot tell them apart).
    decided = [RequestStatus.APPROVED, RequestStatus.REJECTED, RequestStatus.OFFER_DECLINED]
    reviewed = [
        RequestStatus.PENDING_APPROVAL,
        RequestStatus.INFO_REQUESTED,
        RequestStatus.OFFER_MADE,
        RequestStatus.INCOMPLETE,
        *decided,
    ]
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


def _at_midnight(moment: datetime | None) -> bool:
    return moment is None or moment.astimezone(UTC).time() == time(0)


def _day(moment: datetime | None) -> date | None:
    return None if moment is None else moment.astimezone(UTC).date()


def counted_days(filters: StatsFilters) -> tuple[date | None, date | None] | None:
    """The filters as a range of UTC days (start inclusive, end exclusive) if the running
    totals answer them exactly; None if only the rows can."""
    if filters.amount_min is not None or filters.amount_max is not None:
        return None
    if not (_at_midnight(filters.created_from) and _at_midnight(filters.created_to)):
        return None
    return _day(filters.created_from), _day(filters.created_to)


def _day_range(
    column: InstrumentedAttribute[date], days: tuple[date | None, date | None]
) -> Conditions:
    start, end = days
    return [
        *([column >= start] if start is not None else []),
        *([column < end] if end is not None else []),
    ]


def _totals(filters: StatsFilters, days: tuple[date | None, date | None]) -> Conditions:
    conditions = _day_range(RequestDayTotal.day, days)
    if filters.status:
        conditions.append(RequestDayTotal.status.in_([s.value for s in filters.status]))
    return conditions


def counted_volume(session: Session, where: Conditions) -> list[DayVolume]:
    """`volume_by_day`, from the running totals."""
    requests = func.sum(RequestDayTotal.requests)
    return [
        DayVolume(day=d, status=RequestStatus(s), count=int(n), amount=a)
        for d, s, n, a in session.execute(
            select(
                RequestDayTotal.day,
                RequestDayTotal.status,
                requests,
                func.sum(RequestDayTotal.amount),
            )
            .where(*where)
            .group_by(RequestDayTotal.day, RequestDayTotal.status)
            .having(requests != 0)
            .order_by(RequestDayTotal.day, RequestDayTotal.status)
        )
    ]


def counted_outcomes(session: Session, where: Conditions) -> list[Outcome]:
    """`outcomes`, from the running totals."""
    requests = func.sum(RequestDayTotal.requests)
    return [
        Outcome(status=RequestStatus(s), count=int(n), amount=a)
        for s, n, a in session.execute(
            select(RequestDayTotal.status, requests, func.sum(RequestDayTotal.amount))
            .where(*where)
            .group_by(RequestDayTotal.status)
            .having(requests != 0)
            .order_by(RequestDayTotal.status)
        )
    ]


def _bucket_seconds(bucket: int) -> float:
    """The middle of a timing bucket (floor(ln(1 + s) * 100)), in seconds."""
    return math.exp((bucket + 0.5) / 100) - 1


def histogram_median(buckets: Sequence[tuple[int, int]]) -> float:
    """The median of a histogram of (bucket, count), ordered by bucket, as percentile_cont
    takes it: the middle value, or the mean of the middle two."""
    total = sum(count for _, count in buckets)
    wanted = sorted({(total - 1) // 2, total // 2})
    found: list[float] = []
    seen = 0
    for bucket, count in buckets:
        seen += count
        while wanted and wanted[0] < seen:
            wanted.pop(0)
            found.append(_bucket_seconds(bucket))
    return sum(found) / len(found) if found else 0.0


def counted_time_to_decision(
    session: Session, days: tuple[date | None, date | None], statuses: Sequence[str] = ()
) -> list[StageTiming]:
    """`time_to_decision` over the requests submitted on `days` (start inclusive, end
    exclusive) now in one of `statuses` (any if none), from the running totals (the median
    within 1 %)."""
    roles = TIMED_ROLES
    buckets: dict[str, list[tuple[int, int]]] = {r: [] for r in roles}
    decided = func.sum(StageTimingBucket.decided)
    for role, bucket, n in session.execute(
        select(StageTimingBucket.role, StageTimingBucket.bucket, decided)
        .where(
            StageTimingBucket.role.in_(roles),
            *_day_range(StageTimingBucket.day, days),
            *([StageTimingBucket.status.in_(statuses)] if statuses else []),
        )
        .group_by(StageTimingBucket.role, StageTimingBucket.bucket)
        .having(decided > 0)
        .order_by(StageTimingBucket.role, StageTimingBucket.bucket)
    ):
        buckets[role].append((bucket, int(n)))
    total = func.sum(StageRoleTotal.decided)
    timings = {
        role: StageTiming(
            role=Role(role),
            decided=int(n),
            requests=int(requests),
            average_seconds=_seconds(float(seconds) / int(n)),
            median_seconds=_seconds(histogram_median(buckets[role])),
        )
        for role, n, requests, seconds in session.execute(
            select(
                StageRoleTotal.role,
                total,
                func.sum(StageRoleTotal.requests),
                func.sum(StageRoleTotal.seconds),
            )
            .where(
                StageRoleTotal.role.in_(roles),
                *_day_range(StageRoleTotal.day, days),
                *([StageRoleTotal.status.in_(statuses)] if statuses else []),
            )
            .group_by(StageRoleTotal.role)
            .having(total > 0)
        )
    }
    return [timings[r] for r in roles if r in timings]


def summarize(session: Session, filters: StatsFilters) -> StatsOut:
    """Every chart of the dashboard over the requests the filters select."""
    where = _conditions(filters)
    days = counted_days(filters)
    if days is None:
        by_status, volume = outcomes(session, where), volume_by_day(session, where)
    else:
        totals = _totals(filters, days)
        by_status, volume = counted_outcomes(session, totals), counted_volume(session, totals)
    return StatsOut(
        total=sum(o.count for o in by_status),
        amount=sum((o.amount for o in by_status), Decimal("0")),
        volume=volume,
        outcomes=by_status,
        time_to_decision=(
            time_to_decision(session, where)
            if days is None
            else counted_time_to_decision(session, days, [s.value for s in filters.status])
        ),
        funnel=funnel({o.status: o.count for o in by_status}),
    )
