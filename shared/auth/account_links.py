"""The signed tokens of the emailed account links (see `shared.auth.accounts` for what they
do): made here, apart from the account operations, so the notify step that writes them into
emails loads neither password hashing nor sign-in."""

import hashlib
import uuid
from datetime import datetime, timedelta

from shared.auth import tokens
from shared.clock import utcnow
from shared.config import get_settings
from shared.users.models import User


def password_fingerprint(password_hash: str) -> str:
    """A short digest that tells one password hash from the next (a reset link is bound to
    the hash it was asked under); nothing a reader could use: not the hash."""
    return hashlib.sha256(password_hash.encode()).hexdigest()[:24]


def verification_token(user_id: uuid.UUID, email: str) -> str:
    """The signed token of the link that verifies `email` as this user's address."""
    lifetime = timedelta(hours=get_settings().email_verification_hours)
    return tokens.issue(
        tokens.TokenType.EMAIL_VERIFICATION, user_id, lifetime, extra={"email": email}
    ).token


def reset_token(user: User, requested_at: datetime) -> str | None:
    """The signed token of a password-reset link asked for at `requested_at`; None once the
    link would already have expired (an email that waited too long is not worth sending)."""
    expires_at = requested_at + timedelta(minutes=get_settings().password_reset_minutes)
    lifetime = expires_at - utcnow()
    if lifetime <= timedelta(seconds=0):
        return None
    return tokens.issue(
        tokens.TokenType.PASSWORD_RESET,
        user.id,
        lifetime,
        extra={"pwd": password_fingerprint(user.password_hash)},
    ).token
