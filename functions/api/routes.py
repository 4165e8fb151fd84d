"""Accounts, sessions and the read side of the workflow (`api` function)."""

import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, status
from fastapi.responses import JSONResponse
from fastapi.security import OAuth2PasswordRequestForm
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import text

from shared import aws
from shared.approvals import service as approvals
from shared.audit import service as audit
from shared.audit.schemas import AuditEntry, AuditFilters, AuditPage
from shared.auth import service as auth
from shared.cache import get_redis
from shared.clock import utcnow
from shared.credit import service as credit
from shared.credit.schemas import (
    CreditRequestDetail,
    CreditRequestOut,
    CreditRequestPage,
    RequestFilters,
)
from shared.credit.stats import StatsFilters, StatsOut, summarize
from shared.db import unit_of_work
from shared.errors import Unauthorized
from shared.http.deps import Caller, CurrentUser, current_caller, require_roles
from shared.http.errors import RATE_LIMITED
from shared.http.openapi import CREATED_USER
from shared.messaging.outbox import relay_after_commit
from shared.messaging.topology import QUEUES
from shared.notifications import preferences
from shared.notifications.schemas import NotificationPreferencesIn, NotificationPreferencesOut
from shared.users import service as users
from shared.users.models import User
from shared.users.schemas import USERNAME_PATTERN, UserCreate, UserOut, UserPage, UserUpdate
from shared.workflow.states import APPROVER_LADDER, STAFF_ROLES, Role

router = APIRouter()
Admin = Annotated[User, Depends(require_roles(Role.ADMIN))]
Approver = Annotated[User, Depends(require_roles(*APPROVER_LADDER, Role.ADMIN))]
Applicant = Annotated[User, Depends(require_roles(Role.APPLICANT))]


class TokenOut(BaseModel):
    access_token: str
    refresh_token: str
    token_type: str = "bearer"
    expires_in: int


class RefreshIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    refresh_token: str = Field(max_length=4096)


class LogoutIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    refresh_token: str | None = Field(default=None, max_length=4096)


def _token_out(pair: auth.TokenPair) -> TokenOut:
    return TokenOut(
        access_token=pair.access_token, refresh_token=pair.refresh_token, expires_in=pair.expires_in
    )


@router.post("/token", tags=["auth"], responses=RATE_LIMITED)
def login(form: Annotated[OAuth2PasswordRequestForm, Depends()], request: Request) -> TokenOut:
    """Sign in. Repeated failures are throttled per account and per client address (429)."""
    # The client address as the HTTP API saw it (API Gateway's sourceIp, via Mangum).
    address = request.client.host if request.client else "unknown"
    with unit_of_work() as session:
        user = auth.authenticate(session, form.username, form.password, address)
        pair = auth.issue_pair(session, user)
    return _token_out(pair)


@router.post("/refresh", tags=["auth"])
def refresh(body: RefreshIn) -> TokenOut:
    with unit_of_work() as session:
        outcome = auth.rotate(session, body.refresh_token)
    if isinstance(outcome, auth.ReuseDetected):
        raise Unauthorized(
            "This refresh token was already used; every session it began is now signed out.",
            code="token_reused",
        )
    return _token_out(outcome)


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT, tags=["auth"])
def logout(body: LogoutIn, caller: Annotated[Caller, Depends(current_caller)]) -> None:
    with unit_of_work() as session:
        auth.logout(session, caller.claims, body.refresh_token)


@router.post(
    "/users", status_code=status.HTTP_201_CREATED, tags=["users"], responses={201: CREATED_USER}
)
def register(body: UserCreate) -> UserOut:
    with unit_of_work() as session:
        out = UserOut.model_validate(users.register(session, body))
    relay_after_commit()  # the welcome email's event
    return out


@router.get("/users/me", tags=["users"])
def me(user: CurrentUser) -> UserOut:
    return UserOut.model_validate(user)


@router.get("/users/me/notifications", tags=["users"])
def my_notifications(user: CurrentUser) -> NotificationPreferencesOut:
    """Your notification channels: email (on unless you turned it off), a signed webhook
    (Standard Webhooks), and Slack or Teams. Secrets are never shown here."""
    with unit_of_work() as session:
        return preferences.read(session, user)


@router.put("/users/me/notifications", tags=["users"])
def set_my_notifications(
    body: NotificationPreferencesIn, user: CurrentUser
) -> NotificationPreferencesOut:
    """Change your notification channels (only those listed). Saving a webhook URL for the
    first time, or with `rotate_secret`, makes a signing secret: it is in this answer's
    `shown_once` and never shown again."""
    with unit_of_work() as session:
        return preferences.update(session, user, body)


@router.get("/users", tags=["users"])
def list_users(
    _: Admin,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    cursor: Annotated[str | None, Query(pattern=USERNAME_PATTERN)] = None,
    q: Annotated[
        str | None,
        Query(
            max_length=254,
            description="Only users whose username or email contains this (any case).",
        ),
    ] = None,
) -> UserPage:
    with unit_of_work() as session:
        rows = users.list_page(session, limit, cursor, q)
    page = rows[:limit]
    return UserPage(
        items=[UserOut.model_validate(u) for u in page],
        next_cursor=page[-1].username if len(rows) > limit else None,
    )


@router.patch("/users/{user_id}", tags=["users"])
def update_user(user_id: uuid.UUID, body: UserUpdate, admin: Admin) -> UserOut:
    with unit_of_work() as session:
        return UserOut.model_validate(users.update(session, admin, user_id, body))


@router.get("/credit-requests", tags=["credit requests"])
def list_credit_requests(
    user: CurrentUser, filters: Annotated[RequestFilters, Query()]
) -> CreditRequestPage:
    with unit_of_work() as session:
        page, next_cursor = credit.list_requests(session, user, filters)
        return CreditRequestPage(items=[credit.to_out(r) for r in page], next_cursor=next_cursor)


@router.get("/credit-requests/{request_id}", tags=["credit requests"])
def get_credit_request(request_id: uuid.UUID, user: CurrentUser) -> CreditRequestDetail:
    with unit_of_work() as session:
        # One snapshot for the request and its stages: read apart, a request scored and
        # routed in between shows "submitted" beside an assigned stage.
        session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
        request = credit.visible_request(session, user, request_id)
        if user.role != Role.APPLICANT:
            # Staff reading one applicant's full financial file: who saw what, and when.
            audit.record(
                session, users.actor_of(user), "credit_request.viewed", "credit_request", request.id
            )
        return credit.to_detail(session, request, user)


@router.post("/credit-requests/{request_id}/withdraw", tags=["credit requests"])
def withdraw(request_id: uuid.UUID, user: Applicant) -> CreditRequestOut:
    with unit_of_work() as session:
        out = credit.to_out(credit.withdraw(session, user, request_id))
    relay_after_commit()
    return out


class PendingStage(BaseModel):
    stage_id: uuid.UUID
    level: int
    role: Role
    due_at: datetime | None
    overdue: bool
    request: CreditRequestOut


@router.get("/approvals", tags=["approvals"])
def my_approvals(user: Approver) -> list[PendingStage]:
    now = utcnow()
    with unit_of_work() as session:
        return [
            PendingStage(
                stage_id=stage.id,
                level=stage.level,
                role=Role(stage.role),
                due_at=stage.due_at,
                overdue=bool(stage.due_at and stage.due_at < now),
                request=credit.to_out(request),
            )
            for stage, request in approvals.pending_for(session, user)
        ]


@router.get("/audit-logs", tags=["audit"])
def audit_logs(_: Admin, filters: Annotated[AuditFilters, Query()]) -> AuditPage:
    with unit_of_work() as session:
        rows, next_cursor = audit.search(session, filters)
        return AuditPage(
            items=[AuditEntry.model_validate(r) for r in rows], next_cursor=next_cursor
        )


@router.get("/health", tags=["health"])
def health() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/health/ready", tags=["health"], responses={503: {"description": "Not ready"}})
def ready() -> JSONResponse:
    checks = {
        "database": _check(lambda: _ping_database()),
        "redis": _check(lambda: get_redis().ping()),
        "queues": _check(lambda: [aws.queue_url(q.name) for q in QUEUES]),
    }
    healthy = all(v == "ok" for v in checks.values())
    return JSONResponse(
        {"status": "ok" if healthy else "unavailable", "checks": checks},
        status_code=200 if healthy else 503,
    )


def _ping_database() -> None:
    with unit_of_work() as session:
        session.execute(text("SELECT 1"))


def _check(probe: Callable[[], object]) -> str:
    try:
        probe()
    except Exception:
        return "unavailable"
    return "ok"


Staff = Annotated[User, Depends(require_roles(*STAFF_ROLES))]


@router.get("/stats", tags=["stats"])
def workflow_stats(_: Staff, filters: Annotated[StatsFilters, Query()]) -> StatsOut:
    """Dashboard metrics over the requests the filters select (staff only)."""
    with unit_of_work() as session:
        return summarize(session, filters)
