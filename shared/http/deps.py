"""FastAPI dependencies shared by the HTTP functions: the request's database session, who is
calling, and — from the route table — whether they may."""

import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, params
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer, OAuth2PasswordBearer
from sqlalchemy.orm import Session

from shared.auth import tokens
from shared.auth.service import is_revoked
from shared.db import new_session
from shared.errors import Forbidden, Unauthorized
from shared.http import routes
from shared.users.identity import Identity, identity_of
from shared.workflow.states import Role

# Two ways to say the same thing in OpenAPI (either suffices): the OAuth2 password flow, so
# /docs can sign in with a username and password, and a plain HTTP bearer scheme, which
# generic clients and API scanners (Schemathesis' ignored_auth check) understand.
oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/api/v1/token", auto_error=False)
bearer_scheme = HTTPBearer(
    auto_error=False, bearerFormat="JWT", description="The access token from POST /api/v1/token"
)


def db_session() -> Iterator[Session]:
    """The request's one session: the caller's identity and the handler's work share its
    transaction; a handler that changes state commits it through `state_change`."""
    with new_session() as session:
        yield session


DbSession = Annotated[Session, Depends(db_session)]


@dataclass(frozen=True)
class Caller:
    user: Identity
    claims: dict[str, Any]


def current_caller(
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
    if is_revoked(session, claims):
        raise Unauthorized("The token has been revoked.", code="token_revoked")
    user = identity_of(session, _uuid(claims["sub"]))
    if user is None or not user.is_active:
        raise Unauthorized("The account is not active.", code="inactive_account")
    return Caller(user, claims)


def _uuid(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError as exc:
        raise Unauthorized("The token is not valid.", code="invalid_token") from exc


def current_user(caller: Annotated[Caller, Depends(current_caller)]) -> Identity:
    """The signed-in user (see `current_caller`)."""
    return caller.user


CurrentUser = Annotated[Identity, Depends(current_user)]


def _role_check(allowed: frozenset[Role]) -> Callable[[Identity], None]:
    def check(user: CurrentUser) -> None:
        if Role(user.role) not in allowed:
            raise Forbidden("Your role may not do this.", code="role_forbidden")

    return check


class TableRouter(APIRouter):
    """A router whose every route must be in the route table, and gets its role check from
    there: a handler declares no roles, so the table is the only place they are written.
    A route missing from the table fails when the app is built, never at request time."""

    def __init__(self) -> None:
        super().__init__(prefix=routes.API_PREFIX)

    def add_api_route(
        self,
        path: str,
        endpoint: Callable[..., Any],
        *,
        methods: set[str] | list[str] | None = None,
        dependencies: Sequence[params.Depends] | None = None,
        **options: Any,
    ) -> None:
        for method in methods or ["GET"]:
            route = routes.find(method, self.prefix + path)
            checks = [] if route.roles is routes.PUBLIC else [Depends(_role_check(route.roles))]
            super().add_api_route(
                path,
                endpoint,
                methods=[method],
                dependencies=[*(dependencies or []), *checks],
                **options,
            )
