"""FastAPI dependencies shared by the HTTP functions: who is calling, and may they."""

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer, OAuth2PasswordBearer

from shared.auth import tokens
from shared.auth.service import is_revoked
from shared.db import unit_of_work
from shared.errors import Forbidden, Unauthorized
from shared.users.models import User
from shared.workflow.states import Role

# Two ways to say the same thing in OpenAPI (either suffices): the OAuth2 password flow, so
# /docs can sign in with a username and password, and a plain HTTP bearer scheme, which
# generic clients and API scanners (Schemathesis' ignored_auth check) understand.
oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/api/v1/token", auto_error=False)
bearer_scheme = HTTPBearer(
    auto_error=False, bearerFormat="JWT", description="The access token from POST /api/v1/token"
)


@dataclass(frozen=True)
class Caller:
    user: User
    claims: dict[str, Any]


def current_caller(
    token: Annotated[str | None, Depends(oauth2_scheme)],
    _: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
) -> Caller:
    if not token:
        raise Unauthorized("Authentication required.", code="not_authenticated")
    claims = tokens.verify(token, tokens.TokenType.ACCESS)
    if is_revoked(claims["jti"]):
        raise Unauthorized("The token has been revoked.", code="token_revoked")
    with unit_of_work() as session:
        user = session.get(User, _uuid(claims["sub"]))
    if user is None or not user.is_active:
        raise Unauthorized("The account is not active.", code="inactive_account")
    return Caller(user, claims)


def _uuid(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError as exc:
        raise Unauthorized("The token is not valid.", code="invalid_token") from exc


def current_user(caller: Annotated[Caller, Depends(current_caller)]) -> User:
    return caller.user


def require_roles(*roles: Role) -> Callable[[User], User]:
    allowed = frozenset(roles)

    def check(user: Annotated[User, Depends(current_user)]) -> User:
        if Role(user.role) not in allowed:
            raise Forbidden("Your role may not do this.", code="role_forbidden")
        return user

    return check


CurrentUser = Annotated[User, Depends(current_user)]
