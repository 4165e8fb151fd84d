"""FastAPI dependencies shared by the HTTP functions: the request's database session, who is
calling, and — from the route table — whether they may.

Every function app runs behind Mangum, one invocation at a time on an event loop of its own
(Lambda's model; the local gateway gives each worker thread its own loop too). So handlers and
dependencies run inline on that loop, blocking calls included: they block only their own
invocation, and FastAPI's default for plain `def` — a hop to a thread pool and back for every
dependency and the endpoint — would be pure overhead. `TableRouter` runs plain endpoints
inline; the dependencies here are `async def` for the same reason.
"""

import functools
import inspect
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, params
from fastapi.routing import APIRoute
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer, OAuth2PasswordBearer
from sqlalchemy.orm import Session

from shared.auth import tokens
from shared.auth.service import deny_keys, is_revoked
from shared.db import new_session
from shared.errors import Forbidden, Unauthorized
from shared.http import routes
from shared.http.errors import ERROR_RESPONSES, declared
from shared.users.identity import Identity, identity_of
from shared.workflow.states import Role, access_role

# Two ways to say the same thing in OpenAPI (either suffices): the OAuth2 password flow, so
# /docs can sign in with a username and password, and a plain HTTP bearer scheme, which
# generic clients and API scanners (Schemathesis' ignored_auth check) understand.
oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/api/v1/token", auto_error=False)
bearer_scheme = HTTPBearer(
    auto_error=False, bearerFormat="JWT", description="The access token from POST /api/v1/token"
)


async def db_session() -> AsyncIterator[Session]:
    """The request's one session: the caller's identity and the handler's work share its
    transaction; a handler that changes state commits it through `state_change`."""
    with new_session() as session:
        yield session


DbSession = Annotated[Session, Depends(db_session)]


@dataclass(frozen=True)
class Caller:
    user: Identity
    claims: dict[str, Any]


async def current_caller(
    token: Annotated[str | None, Depends(oauth2_scheme)],
    _: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
    session: DbSession,
) -> Caller:
    """The signed-in caller: a valid, unrevoked access token of an active account; else 401.
    The account is read through the cache: a change to it (deactivation, a new role) is
    seen by the very next call."""
    if not token:
        raise Unauthorized("Authentication required.", code="not_authenticated")
    claims = tokens.verify(token, tokens.TokenType.ACCESS)
    # One Redis round trip: the account and the deny-list entries of this token and session.
    user, denied = identity_of(session, subject_of(claims), also=deny_keys(claims))
    return admit(claims, user, revoked=is_revoked(session, claims, denied))


def admit(claims: dict[str, Any], user: Identity | None, *, revoked: bool) -> Caller:
    """The caller, if the account a verified token names may call: the account active, the
    token (or its session) not signed out; else 401. The account first: deactivating one
    also signs it out, and its holder is better told why."""
    if user is None or not user.is_active:
        raise Unauthorized("The account is not active.", code="inactive_account")
    if revoked:
        raise Unauthorized("The token has been revoked.", code="token_revoked")
    return Caller(user, claims)


def subject_of(claims: dict[str, Any]) -> uuid.UUID:
    """The account a verified token names."""
    try:
        return uuid.UUID(claims["sub"])
    except ValueError as exc:
        raise Unauthorized("The token is not valid.", code="invalid_token") from exc


async def current_user(caller: Annotated[Caller, Depends(current_caller)]) -> Identity:
    """The signed-in user (see `current_caller`)."""
    return caller.user


CurrentUser = Annotated[Identity, Depends(current_user)]


def role_allows(allowed: frozenset[Role], role: str) -> bool:
    """Whether a route's roles admit this role. An approver level a policy defines (not a
    built-in role) has an approver's access."""
    return access_role(role) in allowed


_role_checks: set[Callable[..., Any]] = set()


def _role_check(allowed: frozenset[Role]) -> Callable[[Identity], Awaitable[None]]:
    async def check(user: CurrentUser) -> None:
        if not role_allows(allowed, user.role):
            raise Forbidden("Your role may not do this.", code="role_forbidden")

    _role_checks.add(check)
    return check


SIGN_IN: frozenset[Callable[..., Any]] = frozenset(
    {oauth2_scheme, bearer_scheme, db_session, current_caller, current_user}
)
"""The dependencies a signed-in route runs besides its role check."""


def checks_only_sign_in_and_role(route: APIRoute) -> bool:
    """Whether a route runs no dependency but signing in (`SIGN_IN`) and its role check:
    what a read answered ahead of the framework checks itself."""
    pending, calls = list(route.dependant.dependencies), set()
    while pending:
        dependency = pending.pop()
        calls.add(dependency.call)
        pending.extend(dependency.dependencies)
    return all(call in SIGN_IN or call in _role_checks for call in calls)


class _SharedOverrides:
    """FastAPI's `dependency_overrides`, for routes made before their app: every function
    app's `dependency_overrides` is this one dict (they run in one process locally)."""

    dependency_overrides: dict[Callable[..., Any], Callable[..., Any]] = {}


OVERRIDES = _SharedOverrides()


class TableRouter(APIRouter):
    """A router whose every route must be in the route table, and gets its role check from
    there: a handler declares no roles, so the table is the only place they are written.
    A route missing from the table fails when the app is built, never at request time."""

    def __init__(self) -> None:
        super().__init__(prefix=routes.API_PREFIX, dependency_overrides_provider=OVERRIDES)

    def add_api_route(
        self,
        path: str,
        endpoint: Callable[..., Any],
        *,
        methods: set[str] | list[str] | None = None,
        dependencies: Sequence[params.Depends] | None = None,
        **options: Any,
    ) -> None:
        if not inspect.iscoroutinefunction(endpoint):
            endpoint = _inline(endpoint)
        own_responses = options.pop("responses", None) or {}
        for method in methods or ["GET"]:
            route = routes.find(method, self.prefix + path)
            checks = [] if route.roles is routes.PUBLIC else [Depends(_role_check(route.roles))]
            super().add_api_route(
                path,
                endpoint,
                methods=[method],
                dependencies=[*(dependencies or []), *checks],
                responses={**ERROR_RESPONSES, **_errors_of(route), **own_responses},
                **options,
            )


def _errors_of(route: routes.Route) -> dict[int | str, dict[str, Any]]:
    """What a route can answer besides its own outcomes, read from its table entry: a
    signed-in route 401 and 403, a path naming a resource 404, a body 413."""
    codes = [] if route.roles is routes.PUBLIC else [401, 403]
    if "{" in route.path:
        codes.append(404)
    if route.method in ("POST", "PUT", "PATCH"):
        codes.append(413)
    return declared(*codes)


def _inline(endpoint: Callable[..., Any]) -> Callable[..., Any]:
    """The endpoint as a coroutine that calls it in place (see the module's docstring);
    FastAPI still reads the endpoint's own signature through `__wrapped__`."""

    @functools.wraps(endpoint)
    async def run_inline(*args: Any, **kwargs: Any) -> Any:
        return endpoint(*args, **kwargs)

    return run_inline
