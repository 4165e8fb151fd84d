"""The queries the scale checks (issue 9 §4, target P3) run, built by the application's own
query builders: every list filter and sort, as a heavy applicant (1,000+ requests), a light
one and staff see them, on page 1 and on the page reached by a cursor 50 pages deep; the
approver inbox; and each statement of /stats. Shared by `benchmarks.query_plans` (EXPLAIN
ANALYZE) and `benchmarks.scale` (p50/p95 at 10k against 1M).

A database for them comes from `python -m infra.local.load_data --requests N` (its heavy
applicants and load-analyst approvers are what the cases look up)."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Engine, Select, create_engine, func, select
from sqlalchemy.orm import Session

from shared.approvals.models import ApprovalStage
from shared.approvals.service import BY_DUE_DATE
from shared.clock import utcnow
from shared.config import get_settings
from shared.credit.models import CreditRequest
from shared.db import act_as
from shared.pagination import encode, page_query
from shared.tracking import stats
from shared.tracking.requests import SORTS, matching
from shared.tracking.schemas import RequestFilters, StatsFilters
from shared.users.identity import Identity
from shared.users.models import User
from shared.workflow.states import RequestStatus, StageStatus

DEEP_PAGES = 50
LIMIT = 20


@dataclass(frozen=True)
class Case:
    """One statement to explain or time; `statement` builds it in an open session."""

    name: str
    statement: Callable[[Session], Select[Any] | None]


def engine_for(url: str) -> Engine:
    """An engine acting as the application's role, as the API's does."""
    engine = create_engine(url, pool_size=1, max_overflow=0)
    role = get_settings().database_role
    if role:
        act_as(engine, role)
    return engine


def _identity(session: Session, user_id: Any) -> Identity:
    return Identity.of(session.get_one(User, user_id))


def _viewers(session: Session) -> dict[str, Identity]:
    per_applicant = (
        select(CreditRequest.applicant_id, func.count().label("n"))
        .group_by(CreditRequest.applicant_id)
        .subquery()
    )
    heavy = session.scalar(select(per_applicant.c.applicant_id).order_by(per_applicant.c.n.desc()))
    light = session.scalar(
        select(per_applicant.c.applicant_id)
        .where(per_applicant.c.n.between(3, 8))
        .order_by(per_applicant.c.applicant_id)
    )
    analyst = session.scalar(select(User.id).where(User.username == "load-analyst-1"))
    if heavy is None or light is None or analyst is None:
        raise RuntimeError("seed the database with infra.local.load_data first")
    return {
        "applicant-heavy": _identity(session, heavy),
        "applicant-light": _identity(session, light),
        "staff": _identity(session, analyst),
    }


def _filters(viewers: dict[str, Identity]) -> dict[str, dict[str, Any]]:
    now = utcnow()
    return {
        "all": {},
        "status=pending": {"status": [RequestStatus.PENDING_APPROVAL]},
        "status=approved,rejected": {"status": [RequestStatus.APPROVED, RequestStatus.REJECTED]},
        "created=30d": {"created_from": now - timedelta(days=30), "created_to": now},
        "amount=10k-50k": {"amount_min": Decimal("10000"), "amount_max": Decimal("50000")},
        "assigned_to=me": {"assigned_to": "me"},
        "stage_role=manager": {"stage_role": "manager"},
        "applicant_id=heavy": {"applicant_id": viewers["applicant-heavy"].id},
    }


STAFF_ONLY = {"assigned_to=me", "stage_role=manager", "applicant_id=heavy"}


def _deep_cursor(
    session: Session, query: Select[Any], sort: str, pages: int = DEEP_PAGES
) -> str | None:
    """The cursor a client holds after paging `pages` pages: the key of that page's last row."""
    keyset = SORTS[sort]  # type: ignore[index]
    row = session.scalars(
        page_query(query, keyset, None, LIMIT).limit(1).offset(pages * LIMIT - 1)
    ).first()
    return None if row is None else encode(keyset, keyset.values_of(row))


def _list_case(viewer: Identity, filters: RequestFilters, deep: bool) -> Callable[..., Any]:
    def build(session: Session) -> Select[Any] | None:
        query = matching(viewer, filters)
        cursor = _deep_cursor(session, query, filters.sort) if deep else None
        if deep and cursor is None:
            return None  # fewer than 50 pages: no such page
        return page_query(query, SORTS[filters.sort], cursor, LIMIT)

    return build


def list_cases(session: Session) -> list[Case]:
    """Every filter, sort and view, on page 1 and 50 pages deep, of the request list."""
    viewers = _viewers(session)
    cases = []
    for view, viewer in viewers.items():
        for label, values in _filters(viewers).items():
            if label in STAFF_ONLY and view != "staff":
                continue
            for sort in SORTS:
                filters = RequestFilters(sort=sort, limit=LIMIT, **values)
                for deep in (False, True):
                    page = f"p{DEEP_PAGES + 1}" if deep else "p1"
                    cases.append(
                        Case(f"{view} {label} {sort} {page}", _list_case(viewer, filters, deep))
                    )
    return cases


def inbox_cases(session: Session) -> list[Case]:
    """The approver inbox (`pending_for`'s page query), page 1 and deep."""
    analyst = _viewers(session)["staff"]
    query = select(ApprovalStage).where(
        ApprovalStage.assignee_id == analyst.id, ApprovalStage.status == StageStatus.PENDING
    )

    def build(deep: bool) -> Callable[[Session], Select[Any] | None]:
        def statement(session: Session) -> Select[Any] | None:
            cursor = None
            if deep:
                row = session.scalars(
                    page_query(query, BY_DUE_DATE, None, LIMIT)
                    .limit(1)
                    .offset(DEEP_PAGES * LIMIT - 1)
                ).first()
                if row is None:
                    return None
                cursor = encode(BY_DUE_DATE, BY_DUE_DATE.values_of(row))
            return page_query(query, BY_DUE_DATE, cursor, LIMIT)

        return statement

    return [Case("inbox p1", build(False)), Case(f"inbox p{DEEP_PAGES + 1}", build(True))]


def stats_filters() -> dict[str, StatsFilters]:
    """Everything; the dashboard as it opens (its last 30 UTC days, as the web app sends
    them); and that narrowed to one status (which the stage totals do not answer)."""
    today = utcnow().replace(hour=0, minute=0, second=0, microsecond=0)
    month = {"created_from": today - timedelta(days=29), "created_to": today + timedelta(days=1)}
    return {
        "all": StatsFilters(),
        "30d": StatsFilters(**month),
        "30d status=approved": StatsFilters(**month, status=[RequestStatus.APPROVED]),
    }


def summarize(session: Session, filters: StatsFilters) -> None:
    """/stats' work, as the route does it."""
    stats.summarize(session, filters)
