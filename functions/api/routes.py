"""Accounts, sessions and the read side of the workflow (`api` function)."""

import logging
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Query, Request, Response, status
from fastapi.responses import JSONResponse
from fastapi.security import OAuth2PasswordRequestForm
from pydantic import BaseModel
from sqlalchemy import text
from sqlalchemy.orm import Session

from shared import aws
from shared.approvals import conversation, review, staffing
from shared.approvals import service as approvals
from shared.approvals.conversation import MessageIn, MessageOut
from shared.approvals.review_schemas import (
    AssignedReview,
    ReviewAsk,
    ReviewDetail,
    ReviewOut,
    ReviewStatus,
)
from shared.approvals.schemas import PendingStage
from shared.audit import service as audit
from shared.audit.chain import verify_database
from shared.audit.schemas import (
    AuditEntry,
    AuditFilters,
    AuditQuery,
    ChainBreakOut,
    ChainVerificationOut,
)
from shared.auth import accounts, throttle
from shared.auth import service as auth
from shared.auth.schemas import (
    EmailVerificationIn,
    EmailVerificationOut,
    LogoutIn,
    PasswordResetIn,
    PasswordResetRequested,
    PasswordResetRequestIn,
    RefreshIn,
    TokenOut,
)
from shared.cache import get_redis
from shared.caching import CacheKey
from shared.clock import utcnow
from shared.config import get_settings
from shared.credit import service as credit
from shared.credit.policy import POLICY_SCOPE
from shared.credit.schemas import CreditRequestOut
from shared.db import get_engine, unit_of_work
from shared.errors import NotFound, Unauthorized
from shared.http.caching import NOT_MODIFIED, Viewer, cached_json
from shared.http.deps import Caller, CurrentUser, DbSession, TableRouter, current_caller
from shared.http.errors import RATE_LIMITED, declared
from shared.http.openapi import CREATED_USER
from shared.messaging import dlq
from shared.messaging.outbox import state_change
from shared.messaging.topology import QUEUES
from shared.notifications import adverse_action, preferences
from shared.notifications.schemas import (
    AdverseActionNoticeOut,
    NotificationPreferencesIn,
    NotificationPreferencesOut,
)
from shared.pagination import Cursor, Page, PageSize
from shared.tracking import exports
from shared.tracking import requests as tracking
from shared.tracking.schemas import (
    CreditRequestDetail,
    RequestFilters,
    RequestQuery,
    StatsFilters,
    StatsOut,
)
from shared.tracking.stats import summarize
from shared.users import service as users
from shared.users.identity import Identity, identity_of
from shared.users.schemas import UserCreate, UserDetail, UserOut, UserUpdate
from shared.workflow.states import Role

logger = logging.getLogger(__name__)
router = TableRouter()


@router.post("/token", tags=["auth"], responses=RATE_LIMITED)
def login(
    form: Annotated[OAuth2PasswordRequestForm, Depends()], request: Request, session: DbSession
) -> TokenOut:
    """Sign in. Repeated failures are throttled per account and per client address (429)."""
    with state_change(session):
        user = auth.authenticate(session, form.username, form.password, _address(request))
        return TokenOut.of(auth.issue_pair(session, user))


@router.post("/refresh", tags=["auth"])
def refresh(body: RefreshIn, session: DbSession) -> TokenOut:
    """Trade a refresh token for a new pair. Each refresh token works once: presenting a used
    one again (a stolen copy) signs out every session of its family (401 `token_reused`)."""
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
    """Sign out: the access token and the refresh token's whole family stop working."""
    with state_change(session):
        auth.logout(session, caller.claims, body.refresh_token)


def _address(request: Request) -> str:
    # The client address as the HTTP API saw it (API Gateway's sourceIp, via Mangum).
    return request.client.host if request.client else "unknown"


@router.post(
    "/users",
    status_code=status.HTTP_201_CREATED,
    tags=["users"],
    responses={201: CREATED_USER, **RATE_LIMITED, **declared(409)},
)
def register(body: UserCreate, request: Request, session: DbSession) -> UserOut:
    """Register as an applicant: usernames and emails are unique in any case (409
    `user_exists`), at most REGISTRATIONS_PER_ADDRESS per client address per hour (429). The
    welcome email holds the link that verifies the address; until it is followed the account
    may sign in and read, but not file requests."""
    throttle.spend(
        throttle.REGISTRATIONS,
        {"address": (_address(request), get_settings().registrations_per_address)},
    )
    with state_change(session):  # the welcome email's event is published after the commit
        return UserOut.model_validate(users.register(session, body))


@router.post("/email-verifications", tags=["users"])
def verify_email(body: EmailVerificationIn, session: DbSession) -> EmailVerificationOut:
    """Follow the emailed verification link: the address it was sent to is verified (404 for
    a link that is not one, 410 once expired)."""
    with state_change(session):
        accounts.verify_email(session, body.token)
    return EmailVerificationOut(email_verified=True)


@router.post(
    "/users/me/email-verification",
    status_code=status.HTTP_202_ACCEPTED,
    tags=["users"],
    responses=RATE_LIMITED,
)
def resend_verification(user: CurrentUser, session: DbSession) -> Response:
    """Email yourself a new verification link (a few per hour); 409 when already verified."""
    with state_change(session):
        accounts.resend_verification(session, user)
    return Response(status_code=status.HTTP_202_ACCEPTED)


@router.post(
    "/password-resets",
    status_code=status.HTTP_202_ACCEPTED,
    tags=["auth"],
    responses=RATE_LIMITED,
)
def request_password_reset(
    body: PasswordResetRequestIn, request: Request, session: DbSession
) -> PasswordResetRequested:
    """Ask for a password-reset link by email. Always 202, whether or not an account uses
    the address; throttled per client address and per address asked for (429)."""
    with state_change(session):
        accounts.request_reset(session, str(body.email), _address(request))
    return PasswordResetRequested(
        detail="If an account uses this address, we have emailed it a link to reset its password."
    )


@router.post("/password-resets/confirm", status_code=status.HTTP_204_NO_CONTENT, tags=["auth"])
def reset_password(body: PasswordResetIn, session: DbSession) -> None:
    """Set a new password with the emailed link: once (410 after), within its 30 minutes
    (PASSWORD_RESET_MINUTES), under the password policy (422). Every session of the account
    is signed out."""
    with state_change(session):
        accounts.reset_password(session, body.token, body.password)


@router.get("/users/me", tags=["users"], response_model=UserOut, responses=NOT_MODIFIED)
def me(user: CurrentUser, request: Request, session: DbSession) -> Response:
    """Who is signed in: username, name, email and role (ETag: 304 when unchanged)."""
    at = CacheKey("me", (f"user:{user.id}",), str(user.id))
    return cached_json(request, at, lambda: _me(session, user.id))


def _me(session: Session, user_id: uuid.UUID) -> UserOut:
    # The account as the cache's versions now have it, not the identity this call was
    # authorised with: that one may have been read before a change committed (the email
    # verified in another tab), and would be stored as the newer version's answer.
    account, _ = identity_of(session, user_id)
    if account is None:
        raise Unauthorized("The account is not active.", code="inactive_account")
    return UserOut.model_validate(account)


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
    role: Annotated[Role | None, Query(description="Only users with this role.")] = None,
) -> Page[UserOut]:
    """Users by username, one page at a time, optionally searched and filtered by role."""
    rows, next_cursor = users.list_page(session, limit, cursor, q, role)
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
    role: Annotated[
        str | None, Query(max_length=16, description="A role the user might be given.")
    ] = None,
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
            role or user.role,
            user.is_active if is_active is None else is_active,
        ),
    )


def list_cache_key(user: Viewer, filters: RequestFilters) -> CacheKey:
    """Where the list caches a viewer's page (also read ahead of the framework: handler.py).
    An applicant's list changes only with their own requests, and with the policy (which
    says whether they see risk tiers); staff see every request."""
    scopes = (f"applicant:{user.id}", POLICY_SCOPE) if user.role == Role.APPLICANT else ("staff",)
    return CacheKey("credit_requests", scopes, f"{_viewer_key(user)}|{filters.model_dump_json()}")


def list_page(session: Session, user: Identity, filters: RequestFilters) -> Page[CreditRequestOut]:
    """The list's page for a viewer and a query (also computed ahead of the framework:
    handler.py)."""
    rows, next_cursor = tracking.list_requests(session, user, filters)
    risk_tier = credit.shows_risk_tier(session, user, cached=True)
    return Page(
        items=[credit.to_out(r, risk_tier=risk_tier) for r in rows], next_cursor=next_cursor
    )


def _viewer_key(user: Viewer) -> str:
    # What an answer's shape depends on besides the query: who asks, and in which role (a
    # role change must not let someone read what was cached for them in their former role).
    return f"{user.id}|{user.role}"


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
    """Credit requests, filtered and sorted, one page at a time: an applicant's own only; staff
    see every request (ETag: 304 when unchanged)."""

    return cached_json(
        request, list_cache_key(user, filters), lambda: list_page(session, user, filters)
    )


@router.get(
    "/credit-requests/{request_id}",
    tags=["credit requests"],
    response_model=CreditRequestDetail,
    responses=NOT_MODIFIED,
)
def get_credit_request(
    request_id: uuid.UUID, user: CurrentUser, session: DbSession, request: Request
) -> Response:
    """A request with its approval chain and score result. Staff see it all; the applicant
    sees no bureau report, the approvers by role and first name only, and the risk tier only
    where the policy shows it. Someone else's request answers 404, as if it did not exist.
    Staff reads are audited."""

    def detail() -> CreditRequestDetail:
        found = credit.visible_request(session, user, request_id)
        return tracking.request_detail(session, found, user)

    # Per viewer and role: an applicant's entry exists only if they may see it, and is the
    # applicant's shape (which the policy decides in part).
    scopes = (f"request:{request_id}", *((POLICY_SCOPE,) if user.role == Role.APPLICANT else ()))
    at = CacheKey("credit_request", scopes, f"{_viewer_key(user)}|{request_id}")
    response = cached_json(request, at, detail)
    if user.role != Role.APPLICANT:
        # Staff reading one applicant's full financial file: who saw what, and when — every
        # time, cached or not.
        with state_change(session):
            audit.record(
                session, audit.Actor.of(user), "credit_request.viewed", "credit_request", request_id
            )
    return response


@router.get("/credit-requests/{request_id}/notice", tags=["credit requests"])
def get_adverse_action_notice(
    request_id: uuid.UUID, user: CurrentUser, session: DbSession
) -> AdverseActionNoticeOut:
    """The request's adverse action notice (a decline, an incomplete close, an unaccepted
    counteroffer), as its applicant received it: reasons, the score used with its range,
    key factors and date, the credit bureau, their rights and the ECOA notice. The applicant
    and staff; 404 when the request has none (or is someone else's)."""
    credit.visible_request(session, user, request_id)
    notice = adverse_action.for_request(session, request_id)
    if notice is None:
        raise NotFound("This request has no adverse action notice.", code="no_notice")
    return adverse_action.to_out(notice)


@router.post(
    "/credit-requests/{request_id}/withdraw", tags=["credit requests"], responses=declared(409)
)
def withdraw(request_id: uuid.UUID, user: CurrentUser, session: DbSession) -> CreditRequestOut:
    """Withdraw your own open request: its open stages are cancelled and their links die.
    409 once the request is final."""
    with state_change(session):
        return credit.out_for(session, user, approvals.withdraw(session, user, request_id))


@router.get("/credit-requests/{request_id}/review", tags=["reviews"])
def review_status(request_id: uuid.UUID, user: CurrentUser, session: DbSession) -> ReviewStatus:
    """Whether the applicant may still ask a person to review the request's automatic
    decline (within 30 days of it), and the review asked for, with its outcome and the
    reviewer's rationale once decided. 404 for a request the caller may not see."""
    return review.status_for(session, user, request_id)


@router.post(
    "/credit-requests/{request_id}/review",
    status_code=status.HTTP_201_CREATED,
    tags=["reviews"],
    responses=declared(409),
)
def ask_for_review(
    request_id: uuid.UUID, body: ReviewAsk, user: CurrentUser, session: DbSession
) -> ReviewOut:
    """Ask a person to review your request's automatic decline, with a statement and
    optionally corrected financial data (validated as in submission). 409
    `review_window_closed` after 30 days, `invalid_transition` unless automatically declined
    (a review is asked for once)."""
    with state_change(session):
        return review.to_out(review.ask(session, user, request_id, body))


@router.get("/reviews", tags=["reviews"])
def my_reviews(user: CurrentUser, session: DbSession) -> list[AssignedReview]:
    """The reviews of automatic declines awaiting your outcome, soonest due first."""
    now = utcnow()
    return [
        AssignedReview(
            review_id=found.id,
            request_id=request.id,
            applicant_name=applicant_name,
            amount=request.amount,
            requested_at=found.requested_at,
            due_at=found.due_at,
            overdue=bool(found.due_at and found.due_at < now),
        )
        for found, request, applicant_name in review.assigned_to(session, user)
    ]


@router.get("/reviews/{review_id}", tags=["reviews"])
def get_review(review_id: uuid.UUID, user: CurrentUser, session: DbSession) -> ReviewDetail:
    """A review, for its reviewer (or an admin): the decline's original inputs, score result
    and reasons, the applicant's statement, and their corrections as a diff. 403
    `not_reviewer` for another analyst. Audited, like any staff read of a request."""
    with state_change(session):
        found = review.for_reviewer(session, user, review_id)
        audit.record(
            session,
            audit.Actor.of(user),
            "credit_request.viewed",
            "credit_request",
            found.request.id,
            details={"review_id": str(review_id)},
        )
        return review.detail_of(session, found)


@router.get(
    "/credit-requests/{request_id}/messages",
    tags=["credit requests"],
    response_model=Page[MessageOut],
    responses=NOT_MODIFIED,
)
def list_messages(
    request_id: uuid.UUID,
    user: CurrentUser,
    session: DbSession,
    request: Request,
    limit: Annotated[PageSize, Query()] = 50,
    cursor: Annotated[Cursor, Query()] = None,
) -> Response:
    """A request's conversation, oldest first, with its authors: staff read internal notes
    and messages; the applicant reads the messages only (404 for a request one may not see;
    ETag: 304 when unchanged)."""

    def conversation_page() -> Page[MessageOut]:
        items, next_cursor = conversation.page(session, user, request_id, cursor, limit)
        return Page(items=items, next_cursor=next_cursor)

    # Per viewer and role, as the request page: an applicant's entry never holds a note.
    key = f"{_viewer_key(user)}|{request_id}|{limit}|{cursor}"
    at = CacheKey("messages", (f"request:{request_id}",), key)
    return cached_json(request, at, conversation_page)


@router.post(
    "/credit-requests/{request_id}/messages",
    status_code=status.HTTP_201_CREATED,
    tags=["credit requests"],
    responses=RATE_LIMITED,
)
def post_message(
    request_id: uuid.UUID, body: MessageIn, user: CurrentUser, session: DbSession
) -> MessageOut:
    """Post on a request's conversation, final or not: staff add an internal `note` (never
    shown to the applicant, never emailed) or a `message` to the applicant; the applicant
    posts messages (a note answers 403). A message is emailed to the other side: the
    applicant, or the current stage's approver (else the last one who decided); at most 10
    messages an hour per person and request (429). Audited."""
    with state_change(session):
        entry = conversation.post(session, user, request_id, body)
        return conversation.out_for(session, entry, user)


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
    at = CacheKey("approvals", ("staff",), f"{_viewer_key(user)}|{limit}|{cursor}")
    return cached_json(request, at, lambda: _pending(session, user, cursor, limit))


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
                role=stage.role,
                due_at=stage.due_at,
                overdue=bool(stage.due_at and stage.due_at < now),
                applicant_name=applicant_name,
                request=credit.to_out(request),
                on_behalf_of=stage.on_behalf_of_user.full_name if stage.on_behalf_of_user else None,
            )
            for stage, request, applicant_name in rows
        ],
        next_cursor=next_cursor,
    )


@router.get("/audit-logs", tags=["audit"])
def audit_logs(filters: Annotated[AuditFilters, Query()], session: DbSession) -> Page[AuditEntry]:
    """Who did what, when, newest first, filtered; `request_id` gives a request's whole trail,
    its stages' decisions included."""
    actor_user_id = users.id_by_username(session, filters.actor) if filters.actor else None
    entities = approvals.trail_entities(session, filters.request_id) if filters.request_id else []
    rows, next_cursor = audit.search(session, filters, actor_user_id, entities)
    return Page(items=[AuditEntry.model_validate(r) for r in rows], next_cursor=next_cursor)


@router.get("/dead-letters", tags=["operations"])
def dead_letters() -> list[dlq.DeadLetterQueue]:
    """Each step's dead-letter queue: how many messages it holds, the age of the oldest one
    sampled, and a sample body — what failed `max_receive_count` times."""
    return dlq.inventory()


@router.post("/dead-letters/{queue}/redrive", tags=["operations"], responses=declared(404, 409))
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


CSV: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/csv": {}}, "description": "RFC 4180 CSV, a header row first."}
}


def _export(
    session: Session,
    user: Identity,
    action: str,
    what: str,
    filters: BaseModel,
    written: exports.Export,
) -> Response:
    """An export as a CSV download named after `what`, audited as `action` (with its filters,
    how many rows it holds and whether more matched) before it is sent."""
    with state_change(session):
        audit.record(
            session,
            audit.Actor.of(user),
            action,
            "export",
            None,
            details={
                "filters": filters.model_dump(mode="json"),
                "rows": written.rows,
                "truncated": written.truncated,
            },
        )
    return Response(
        written.body,
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{what}-{utcnow():%Y%m%dT%H%M%SZ}.csv"',
            "Cache-Control": "no-store",  # financial data: never kept by a proxy or browser
            "X-Export-Truncated": "true" if written.truncated else "false",
        },
    )


@router.get("/exports/credit-requests", tags=["credit requests"], responses=CSV)
def export_credit_requests(
    user: CurrentUser, filters: Annotated[RequestQuery, Query()], session: DbSession
) -> Response:
    """The requests matching the list's filters as CSV, newest first, at most 25,000 rows and
    what a Lambda may answer (6 MB): `X-Export-Truncated: true` when more match (narrow the
    filters). Audited."""
    written = exports.requests_csv(session, tracking.matching(user, filters))
    return _export(session, user, "credit_requests.exported", "credit-requests", filters, written)


@router.get("/exports/audit-logs", tags=["audit"], responses=CSV)
def export_audit_logs(
    user: CurrentUser, filters: Annotated[AuditQuery, Query()], session: DbSession
) -> Response:
    """The audit entries matching the log's filters as CSV, newest first, at most 25,000
    rows and 6 MB (`X-Export-Truncated: true` when more match). Audited."""
    actor_user_id = users.id_by_username(session, filters.actor) if filters.actor else None
    entities = approvals.trail_entities(session, filters.request_id) if filters.request_id else []
    written = exports.audit_csv(session, audit.matching(filters, actor_user_id, entities))
    return _export(session, user, "audit_logs.exported", "audit-logs", filters, written)


@router.get("/audit-logs/verification", tags=["audit"])
def audit_verification() -> ChainVerificationOut:
    """Walk every audit hash chain, in one snapshot: `ok`, or the first broken row."""
    result = verify_database(get_engine())
    return ChainVerificationOut(
        ok=result.ok,
        rows_checked=result.rows_checked,
        chains=len(result.heads),
        broken=ChainBreakOut.model_validate(result.broken) if result.broken else None,
    )


@router.get("/health", tags=["health"])
def health() -> dict[str, str]:
    """Liveness: the function answers (no dependency is checked)."""
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
    at = CacheKey("stats", ("staff",), f"{user.id}|{filters.model_dump_json()}")
    return cached_json(request, at, lambda: summarize(session, filters))
