"""Login, token rotation and logout.

Failed logins are throttled per account and per client address (`shared.auth.throttle`).

Access tokens are short-lived and stateless; logout puts their `jti` on a Redis deny-list
until they expire. Refresh tokens are rows: each refresh marks the presented one used and
issues a successor in the same family; presenting a used one again means it was stolen,
so the whole family is revoked (RFC 9700 §4.14.2).
"""

import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from shared.audit.service import Actor, record, record_refusal
from shared.auth import throttle, tokens
from shared.auth.models import RefreshToken
from shared.cache import get_redis
from shared.clock import utcnow
from shared.config import get_settings
from shared.errors import Unauthorized
from shared.users.models import User
from shared.users.passwords import burn_verification_time, verify_and_upgrade
from shared.users.service import by_username

REVOKED_PREFIX = "auth:revoked-access:"


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    refresh_token: str
    expires_in: int


def authenticate(session: Session, username: str, password: str, address: str) -> User:
    """The user these credentials belong to. `address` is the client's IP address, as the
    HTTP API saw it (API Gateway's sourceIp), for throttling; a header never sets it."""
    throttle.check(username, address)
    user = by_username(session, username)
    if user is None:
        burn_verification_time(password)
        valid, upgraded = False, None
    else:
        valid, upgraded = verify_and_upgrade(password, user.password_hash)
    if user is None or not valid or not user.is_active:
        used_up = throttle.record_failure(username, address)
        record_refusal(
            Actor.anonymous(),
            "auth.login_failed",
            "user",
            user.id if user else None,
            "invalid_credentials",
            username=username[:64],
            address=address[:64],
            **({"throttled": True} if used_up else {}),
        )
        raise Unauthorized("Incorrect username or password.", code="invalid_credentials")
    # By the stored name: a sign-in to `ADMIN` must never clear `admin`'s failures.
    throttle.record_success(user.username)
    if upgraded is not None:
        user.password_hash = upgraded
        record(session, Actor(user.username, user.id), "user.password_rehashed", "user", user.id)
    return user


def issue_pair(session: Session, user: User, family_id: uuid.UUID | None = None) -> TokenPair:
    """A new access token and refresh token for the user; the refresh token joins `family_id`'s
    family, or starts one."""
    settings = get_settings()
    access_lifetime = timedelta(minutes=settings.access_token_minutes)
    access = tokens.issue(
        tokens.TokenType.ACCESS, user.id, access_lifetime, extra={"role": user.role}
    )
    refresh = tokens.issue(
        tokens.TokenType.REFRESH, user.id, timedelta(days=settings.refresh_token_days)
    )
    session.add(
        RefreshToken(
            jti=refresh.jti,
            user_id=user.id,
            family_id=family_id or uuid.uuid4(),
            expires_at=refresh.expires_at,
        )
    )
    return TokenPair(
        access_token=access.token,
        refresh_token=refresh.token,
        expires_in=int(access_lifetime.total_seconds()),
    )


@dataclass(frozen=True)
class ReuseDetected:
    """A used refresh token came back: its family is now revoked (committed by the caller)."""

    user_id: uuid.UUID


def rotate(session: Session, refresh_token: str) -> TokenPair | ReuseDetected:
    """Spend a refresh token for a new pair in its family; a token already spent means theft, so
    its whole family is revoked instead. 401 for an invalid or revoked one."""
    claims = tokens.verify(refresh_token, tokens.TokenType.REFRESH)
    row = session.get(RefreshToken, uuid.UUID(claims["jti"]), with_for_update=True)
    if row is None or row.revoked_at is not None:
        raise Unauthorized("The refresh token is not valid.", code="invalid_token")
    if row.used_at is not None:
        _revoke_family(session, row.family_id)
        record(
            session,
            Actor.anonymous(),
            "auth.refresh_reuse_detected",
            "user",
            row.user_id,
            details={"family_id": str(row.family_id)},
        )
        return ReuseDetected(row.user_id)
    user = session.get(User, row.user_id)
    if user is None or not user.is_active:
        raise Unauthorized("The refresh token is not valid.", code="invalid_token")
    row.used_at = utcnow()
    return issue_pair(session, user, family_id=row.family_id)


def logout(session: Session, access_claims: dict[str, Any], refresh_token: str | None) -> None:
    """End the session: the access token is denied until it expires, and the refresh token (the
    caller's own only) is revoked."""
    remaining = int(access_claims["exp"] - utcnow().timestamp())
    if remaining > 0:
        get_redis().set(REVOKED_PREFIX + access_claims["jti"], "1", ex=remaining)
    if refresh_token:
        claims = tokens.verify(refresh_token, tokens.TokenType.REFRESH)
        if claims["sub"] != access_claims["sub"]:
            raise Unauthorized("The refresh token belongs to another user.", code="invalid_token")
        session.execute(
            update(RefreshToken)
            .where(RefreshToken.jti == uuid.UUID(claims["jti"]))
            .values(revoked_at=utcnow())
        )


def is_revoked(access_jti: str) -> bool:
    """Whether this access token was signed out."""
    return bool(get_redis().exists(REVOKED_PREFIX + access_jti))


def _revoke_family(session: Session, family_id: uuid.UUID) -> None:
    session.execute(
        update(RefreshToken)
        .where(RefreshToken.family_id == family_id, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
