"""Signed JWTs: access and refresh tokens, approval-link tokens, and the emailed links that
verify an address or reset a password.

Every token carries `typ`, so one kind can never stand in for another, and is checked for
algorithm, signature, expiry, issuer and audience.
"""

import threading
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from cachetools import LRUCache

from shared.clock import utcnow
from shared.config import get_settings
from shared.errors import Unauthorized


class TokenType(StrEnum):
    ACCESS = "access"
    REFRESH = "refresh"
    APPROVAL = "approval"
    EMAIL_VERIFICATION = "email_verification"
    PASSWORD_RESET = "password_reset"


@dataclass(frozen=True)
class IssuedToken:
    token: str
    jti: uuid.UUID
    expires_at: datetime


def issue(
    token_type: TokenType,
    subject: uuid.UUID,
    lifetime: timedelta,
    *,
    jti: uuid.UUID | None = None,
    extra: dict[str, Any] | None = None,
) -> IssuedToken:
    """A signed token of this type for `subject`, valid for `lifetime`."""
    # At first use: PyJWT loads `cryptography`, and the steps that only create links
    # (score, route_to_approver, escalate) never sign or verify a token.
    import jwt

    settings = get_settings()
    now = utcnow()
    token_id = jti or uuid.uuid4()
    expires_at = now + lifetime
    claims: dict[str, Any] = {
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "sub": str(subject),
        "typ": token_type.value,
        "jti": str(token_id),
        "iat": int(now.timestamp()),
        "exp": int(expires_at.timestamp()),
        **(extra or {}),
    }
    token = jwt.encode(
        claims, settings.secret_key.get_secret_value(), algorithm=settings.jwt_algorithm
    )
    return IssuedToken(token=token, jti=token_id, expires_at=expires_at)


# Every signed-in call verifies its access token; a warm process remembers the ones it already
# verified (same bytes, same key: same answer) until they expire.
_verified: LRUCache[str, dict[str, Any]] = LRUCache(maxsize=4096)
_verified_lock = threading.Lock()


def verify(token: str, token_type: TokenType) -> dict[str, Any]:
    """The claims of a valid token of exactly this type; 401 (`token_expired` or
    `invalid_token`) otherwise."""
    if token_type is TokenType.ACCESS:
        with _verified_lock:
            known = _verified.get(token)
        if known is not None and known["exp"] > utcnow().timestamp():
            return dict(known)
    import jwt  # at first use, as in `issue`

    settings = get_settings()
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            settings.secret_key.get_secret_value(),
            algorithms=[settings.jwt_algorithm],
            audience=settings.jwt_audience,
            issuer=settings.jwt_issuer,
            options={"require": ["exp", "iat", "iss", "aud", "sub", "jti", "typ"]},
        )
    except jwt.ExpiredSignatureError as exc:
        raise Unauthorized("The token has expired.", code="token_expired") from exc
    except jwt.PyJWTError as exc:
        raise Unauthorized("The token is not valid.", code="invalid_token") from exc
    if claims.get("typ") != token_type.value:
        raise Unauthorized("The token is not valid.", code="invalid_token")
    if token_type is TokenType.ACCESS:
        with _verified_lock:
            _verified[token] = dict(claims)
    return claims
