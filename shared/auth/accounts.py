"""Proving an email address, and resetting a forgotten password, by emailed links.

Both links are signed tokens (`shared.auth.tokens`, their own `typ`; made by
`shared.auth.account_links`), never stored:
- verification: bound to the user and the address it was sent to (a changed address makes
  it useless), valid EMAIL_VERIFICATION_HOURS. Until an account follows it, it may sign in
  and read its requests but not submit, and gets no workflow email.
- password reset: bound to the user and a fingerprint of their password hash as it was,
  valid PASSWORD_RESET_MINUTES from the request. Setting the password changes the hash, so
  the link works once, and every other reset link of that user dies with it. A reset signs
  the user out everywhere.

Asking for a reset answers the same whether or not the address has an account (no
enumeration), and spends hourly budgets per client address and per address asked for.
"""

import uuid
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from shared.audit.service import Actor, record
from shared.auth import throttle, tokens
from shared.auth.account_links import password_fingerprint
from shared.auth.service import revoke_sessions
from shared.clock import utcnow
from shared.config import get_settings
from shared.errors import Conflict, Gone, InvalidInput, NotFound, Unauthorized
from shared.messaging.outbox import add_event
from shared.users.identity import Identity
from shared.users.models import User
from shared.users.passwords import hash_password, password_problem
from shared.workflow.events import EventType, UserEvent

VERIFICATION_EMAILS_PER_HOUR = 3


def _claims(token: str, token_type: tokens.TokenType) -> dict[str, Any]:
    try:
        claims = tokens.verify(token, token_type)
        claims["user_id"] = uuid.UUID(claims["sub"])
    except Unauthorized as exc:
        if exc.code == "token_expired":
            raise Gone("This link has expired.", code="link_expired") from exc
        raise NotFound("This link is not valid.", code="link_invalid") from exc
    except ValueError as exc:
        raise NotFound("This link is not valid.", code="link_invalid") from exc
    return claims


def verify_email(session: Session, token: str) -> User:
    """Mark the address the link was sent to as verified (again is fine); 404 for a link
    that is not one, or whose address is no longer the account's; 410 once expired."""
    claims = _claims(token, tokens.TokenType.EMAIL_VERIFICATION)
    user = session.get(User, claims["user_id"], with_for_update=True)
    if user is None or user.email != claims.get("email"):
        raise NotFound("This link is not valid.", code="link_invalid")
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()
        record(session, Actor.of(user), "user.email_verified", "user", user.id)
    return user


def resend_verification(session: Session, user: Identity) -> None:
    """Email the signed-in user a new verification link (a few per hour); 409 if their
    address is already verified."""
    if user.email_verified:
        raise Conflict("Your email address is already verified.", code="already_verified")
    throttle.spend(
        throttle.VERIFICATION_EMAILS, {"account": (str(user.id), VERIFICATION_EMAILS_PER_HOUR)}
    )
    record(session, Actor.of(user), "user.email_verification_requested", "user", user.id)
    add_event(session, EventType.EMAIL_VERIFICATION_REQUESTED, UserEvent(user_id=user.id))


def request_reset(session: Session, email: str, address: str) -> None:
    """Email a password-reset link to the active account using `email`, if there is one.
    The caller answers alike either way; only the budgets (429) can refuse."""
    settings = get_settings()
    throttle.spend(
        throttle.PASSWORD_RESETS,
        {
            "address": (address, settings.password_resets_per_address),
            "account": (email.casefold(), settings.password_resets_per_account),
        },
    )
    user = session.scalar(select(User).where(func.lower(User.email) == email.lower()))
    if user is None or not user.is_active:
        return
    record(
        session,
        Actor.anonymous(),
        "user.password_reset_requested",
        "user",
        user.id,
        details={"address": address[:64]},
    )
    add_event(session, EventType.PASSWORD_RESET_REQUESTED, UserEvent(user_id=user.id))


def reset_password(session: Session, token: str, password: str) -> User:
    """Set a new password with a reset link: once (410 `link_used` after), within its
    lifetime (410 `link_expired`), under the password policy (422). Every session of the
    user is signed out; the address counts as verified (the link reached its inbox)."""
    claims = _claims(token, tokens.TokenType.PASSWORD_RESET)
    # Locked: two uses of one link queue here, and the second sees the new hash.
    user = session.get(User, claims["user_id"], with_for_update=True)
    if user is None or not user.is_active:
        raise NotFound("This link is not valid.", code="link_invalid")
    if claims.get("pwd") != password_fingerprint(user.password_hash):
        raise Gone("This password-reset link has already been used.", code="link_used")
    problem = password_problem(password, username=user.username, email=user.email)
    if problem is not None:
        raise InvalidInput(f"The password {problem}.", code="weak_password")
    user.password_hash = hash_password(password)
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()
    ended = revoke_sessions(session, user.id)
    record(
        session,
        Actor.of(user),
        "user.password_reset",
        "user",
        user.id,
        details={"sessions_revoked": ended},
    )
    return user
