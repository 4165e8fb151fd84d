"""Accounts, sessions and the read side of the workflow (`api` function)."""

import logging
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Query, Request, Response, status
from fastapi.responses import JSONResponse
from fastapi.security import OAuth2PasswordRequestForm
from sqlalchemy import text
from sqlalchemy.orm import Session

from shared import aws
from shared.approvals import service as approvals
from shared.approvals import staffing
from shared.approvals.schemas import PendingStage
from shared.audit import service as audit
from shared.audit.schemas import AuditEntry, AuditFilters
from shared.auth import service as auth
from shared.auth.schemas import LogoutIn, RefreshIn, TokenOut
from shared.cache import get_redis
from shared.clock import utcnow
from shared.credit import service as credit
from shared.credit.schemas import CreditRequestOut
from shared.db import unit_of_work
from shared.errors import Unauthorized
from shared.http.caching import NOT_MODIFIED, cached_json
from shared.http.deps import Caller, CurrentUser, DbSession, TableRouter, current_caller
from shared.http.errors import RATE_LIMITED
from shared.http.openapi import CREATED_USER
from shared.messaging import dlq
from shared.messaging.outbox import state_change
from shared.messaging.topology import QUEUES
from shared.notifications import preferences
from shared.notifications.schemas import NotificationPreferencesIn, NotificationPreferencesOut
from shared.pagination import Cursor, Page, PageSize
from shared.tracking import requests as tracking
from shared.tracking.schemas import CreditRequestDetail, RequestFilters, StatsFilters, StatsOut
from shared.tracking.stats import summarize
from shared.users import service as users
from shared.users.identity import Identity
from shared.users.schemas import UserCreate, UserDetail, UserOut, UserUpdate
from shared.workflow.states import Role

logger = logging.getLogger(__name__)
router = TableRouter()


@router.post("/token", tags=["auth"], responses=RATE_LIMITED)
def login(
    form: Annotated[OAuth2PasswordRequestForm, Depends()], request: Request, session: DbSession
) -> TokenOut:
    """Sign in. Repeated failures are throttled per account and per client address (429)."""
    # The client address as the HTTP API saw it (API Gateway's sourceIp, via Mangum).
    address = request.client.host if request.client else "unknown"
    with state_change(session):
        user = auth.authenticate(session, form.username, form.password, address)
        return TokenOut.of(auth.issue_pair(session, user))


@router.post("/refresh", tags=["auth"])
def refresh(body: RefreshIn, session: DbSession) -> TokenOut:
    with state_change(session):
        outcome = auth.rotate(session, body.refresh_token)
    if isinstance(outcome, auth.ReuseDetected):
        raise Unauthorized(
            "This refresh token was already used; every session it began is now signed out.",
            code="token_reused",
        )
    return TokenOut.of(outcome)


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT, tags=["auth"])
def logout(
    body: LogoutIn, caller: Annotated[Caller, Depends(current_caller)], session: DbSession
) -> None:
    with state_change(session):
        auth.logout(session, caller.claims, body.refresh_token)


@router.post(
    "/users", status_code=status.HTTP_201_CREATED, tags=["users"], responses={201: CREATED_USER}
)
def register(body: UserCreate, session: DbSession) -> UserOut:
    with state_change(session):  # the welcome email's event is published after the commit
        return UserOut.model_validate(users.register(session, body))


@router.get("/users/me", tags=["users"], response_model=UserOut, responses=NOT_MODIFIED)
def me(user: CurrentUser, request: Request) -> Response:
    return cached_json(request, "me", [f"user:{user.id}"], str(user.id), lambda: _me(user))


def _me(user: Identity) -> UserOut:
    return UserOut.model_validate(user)


@router.get("/users/me/notifications", tags=["users"])
def my_notifications(user: CurrentUser, session: DbSession) -> NotificationPreferencesOut:
    """Your notification channels: email (on unless you turned it off), a signed webhook
    (Standard Webhooks), and Slack or Teams. Secrets are never shown here."""
    return preferences.read(session, user)


@router.put("/users/me/notifications", tags=["users"])
def set_my_notifications(
    body: NotificationPreferencesIn, user: CurrentUser, session: DbSession
) -> NotificationPreferencesOut:
    """Change your notification channels (only those listed). Saving a webhook URL for the
    first time, or with `rotate_secret`, makes a signing secret: it is in this answer's
    `shown_once` and never shown again."""
    with state_change(session):
        return preferences.update(session, user, body)


@router.get("/users", tags=["users"])
def list_users(
    session: DbSession,
    limit: Annotated[PageSize, Query()] = 50,
    cursor: Annotated[Cursor, Query()] = None,
    q: Annotated[
        str | None,
        Query(
            max_length=254,
            description="Only users whose username or email contains this (any case).",
        ),
    ] = None,
) -> Page[UserOut]:
    rows, next_cursor = users.list_page(session, limit, cursor, q)
    return Page(items=[UserOut.model_validate(u) for u in rows], next_cursor=next_cursor)


@router.patch("/users/{user_id}", tags=["users"])
def update_user(
    user_id: uuid.UUID, body: UserUpdate, admin: CurrentUser, session: DbSession
) -> UserOut:
    """Change a user's role or active flag. Pending stages the user may no longer decide move
    to another approver in the same transaction (see `GET /users/{user_id}` for how many)."""
    with state_change(session):
        return UserOut.model_validate(staffing.update_user(session, admin, user_id, body))


@router.get("/users/{user_id}", tags=["users"])
def get_user(
    user_id: uuid.UUID,
    session: DbSession,
    role: Annotated[Role | None, Query(description="A role the user might be given.")] = None,
    is_active: Annotated[
        bool | None, Query(description="An active flag the user might be given.")
    ] = None,
) -> UserDetail:
    """A user, with the stages awaiting their decision and how many a change to `role` or
    `is_active` (default: as they are) would move to someone else — what the admin is told
    before confirming it."""
    user = users.get(session, user_id)
    return UserDetail(
        **UserOut.model_validate(user).model_dump(),
        pending_stages=staffing.pending_count(session, user.id),
        stages_to_move=staffing.stages_to_move(
            session,
            user.id,
            role or Role(user.role),
            user.is_active if is_active is None else is_active,
        ),
    )


def _list_scope(user: Identity) -> str:
    # An applicant's list changes only with their own requests; staff see every request.
    return f"applicant:{user.id}" if user.role == Role.APPLICANT else "staff"


@router.get(
    "/credit-requests",
    tags=["credit requests"],
    response_model=Page[CreditRequestOut],
    responses=NOT_MODIFIED,
)
def list_credit_requests(
    user: CurrentUser,
    filters: Annotated[RequestFilters, Query()],
    session: DbSession,
    request: Request,
) -> Response:
    def page() -> Page[CreditRequestOut]:
        rows, next_cursor = tracking.list_requests(session, user, filters)
        return Page(items=[credit.to_out(r) for r in rows], next_cursor=next_cursor)

    key = f"{user.id}|{filters.model_dump_json()}"
    return cached_json(request, "credit_requests", [_list_scope(user)], key, page)


@router.get(
    "/credit-requests/{request_id}",
    tags=["credit requests"],
    response_model=CreditRequestDetail,
    responses=NOT_MODIFIED,
)
def get_credit_request(
    request_id: uuid.UUID, user: CurrentUser, session: DbSession, request: Request
) -> Response:
    def detail() -> CreditRequestDetail:
        found = credit.visible_request(session, user, request_id)
        return tracking.request_detail(session, found, user)

    # Per viewer: an applicant's entry exists only if they may see it, and shows no bureau data.
    key = f"{user.id}|{request_id}"
    response = cached_json(request, "credit_request", [f"request:{request_id}"], key, detail)
    if user.role != Role.APPLICANT:
        # Staff reading one applicant's full financial file: who saw what, and when — every
        # time, cached or not.
        with state_change(session):
            audit.record(
                session, audit.Actor.of(user), "credit_request.viewed", "credit_request", request_id
            )
    return response


@router.post("/credit-requests/{request_id}/withdraw", tags=["credit requests"])
def withdraw(request_id: uuid.UUID, user: CurrentUser, session: DbSession) -> CreditRequestOut:
    with state_change(session):
        return credit.to_out(approvals.withdraw(session, user, request_id))


@router.get(
    "/approvals", tags=["approvals"], response_model=Page[PendingStage], responses=NOT_MODIFIED
)
def my_approvals(
    user: CurrentUser,
    session: DbSession,
    request: Request,
    limit: Annotated[PageSize, Query()] = 50,
    cursor: Annotated[Cursor, Query()] = None,
) -> Response:
    """The stages awaiting your decision, soonest due first."""
    key = f"{user.id}|{limit}|{cursor}"
    return cached_json(
        request, "approvals", ["staff"], key, lambda: _pending(session, user, cursor, limit)
    )


def _pending(
    session: Session, user: Identity, cursor: str | None, limit: int
) -> Page[PendingStage]:
    now = utcnow()
    rows, next_cursor = approvals.pending_for(session, user, cursor, limit)
    return Page(
        items=[
            PendingStage(
                stage_id=stage.id,
                level=stage.level,
                role=Role(stage.role),
                due_at=stage.due_at,
                overdue=bool(stage.due_at and stage.due_at < now),
                request=credit.to_out(request),
            )
            for stage, request in rows
        ],
        next_cursor=next_cursor,
    )


@router.get("/audit-logs", tags=["audit"])
def audit_logs(filters: Annotated[AuditFilters, Query()], session: DbSession) -> Page[AuditEntry]:
    actor_user_id = users.id_by_username(session, filters.actor) if filters.actor else None
    entities = approvals.trail_entities(session, filters.request_id) if filters.request_id else []
    rows, next_cursor = audit.search(session, filters, actor_user_id, entities)
    return Page(items=[AuditEntry.model_validate(r) for r in rows], next_cursor=next_cursor)


@router.get("/dead-letters", tags=["operations"])
def dead_letters() -> list[dlq.DeadLetterQueue]:
    """Each step's dead-letter queue: how many messages it holds, the age of the oldest one
    sampled, and a sample body — what failed `max_receive_count` times."""
    return dlq.inventory()


@router.post("/dead-letters/{queue}/redrive", tags=["operations"])
def redrive_dead_letters(queue: str, admin: CurrentUser, session: DbSession) -> dlq.RedriveResult:
    """Move a queue's dead letters back to it, for its step to try again (an SQS message move
    task: this answers once it started). Audited. 409 while one is already running."""
    with state_change(session):
        result = dlq.redrive(queue)
        audit.record(
            session,
            audit.Actor.of(admin),
            "dead_letters.redriven",
            "queue",
            result.queue,
            details=result.model_dump(mode="json"),
        )
    return result


@router.get("/health", tags=["health"])
def health() -> dict[str, str]:
    return {"status": "ok"}


# A probe that has not answered by then counts as down: a readiness check must answer fast
# (load balancers and orchestrators time out at a few seconds).
READY_TIMEOUT_SECONDS = 2.0


@dataclass(frozen=True)
class Dependency:
    name: str
    probe: Callable[[], object]
    # Required: the API cannot serve without it (503). Not required: it degrades (200,
    # status "degraded") — Redis: reads fall back to PostgreSQL, the deny-list too, and only
    # sign-in is refused while it is down (see the README's "Redis down").
    required: bool


def _ping_database() -> None:
    with unit_of_work() as session:
        session.execute(text("SELECT 1"))


def _queues_attributes() -> None:
    sqs = aws.client("sqs")
    for queue in QUEUES:
        sqs.get_queue_attributes(QueueUrl=aws.queue_url(queue.name), AttributeNames=["QueueArn"])


DEPENDENCIES = (
    Dependency("database", _ping_database, required=True),
    Dependency("redis", lambda: get_redis().ping(), required=False),
    Dependency("queues", _queues_attributes, required=True),
)
# Probes of a dependency that hangs outlive the answer; a few threads bound how many pile up.
_probes = ThreadPoolExecutor(max_workers=2 * len(DEPENDENCIES), thread_name_prefix="ready")


def _timed(probe: Callable[[], object]) -> float:
    start = time.perf_counter()
    probe()
    return (time.perf_counter() - start) * 1000


@router.get(
    "/health/ready",
    tags=["health"],
    responses={503: {"description": "A required dependency is down"}},
)
def ready() -> JSONResponse:
    """Each dependency's status and latency: 200 when every required one answers (`status`
    "ok", or "degraded" when only Redis is down), 503 ("unavailable") otherwise."""
    started = time.perf_counter()
    futures = {d: _probes.submit(_timed, d.probe) for d in DEPENDENCIES}
    checks: dict[str, dict[str, object]] = {}
    for dependency, future in futures.items():
        left = READY_TIMEOUT_SECONDS - (time.perf_counter() - started)
        check: dict[str, object] = {"required": dependency.required}
        try:
            latency = future.result(timeout=max(0.0, left))
        except FutureTimeout:
            check |= {"status": "unavailable", "error": "timeout"}
            latency = (time.perf_counter() - started) * 1000
        except Exception:  # what failed is logged, not shown on a public route
            logger.warning("readiness: %s unavailable", dependency.name, exc_info=True)
            check |= {"status": "unavailable", "error": "unreachable"}
            latency = (time.perf_counter() - started) * 1000
        else:
            check["status"] = "ok"
        checks[dependency.name] = {**check, "latency_ms": round(latency, 1)}
    down = {d.name for d in DEPENDENCIES if checks[d.name]["status"] != "ok"}
    required_down = any(d.required for d in DEPENDENCIES if d.name in down)
    status = "unavailable" if required_down else "degraded" if down else "ok"
    return JSONResponse(
        {"status": status, "checks": checks}, status_code=503 if required_down else 200
    )


@router.get("/stats", tags=["stats"], response_model=StatsOut, responses=NOT_MODIFIED)
def workflow_stats(
    filters: Annotated[StatsFilters, Query()],
    user: CurrentUser,
    session: DbSession,
    request: Request,
) -> Response:
    """Dashboard metrics over the requests the filters select (staff only)."""
    key = f"{user.id}|{filters.model_dump_json()}"
    return cached_json(request, "stats", ["staff"], key, lambda: summarize(session, filters))
