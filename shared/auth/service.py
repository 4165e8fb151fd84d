"""Login, token rotation and logout.

Failed logins are throttled per account and per client address (`shared.auth.throttle`).

Access tokens are short-lived and stateless. Refresh tokens are rows: each refresh marks the
presented one used and issues a successor in the same family (one sign-in's session);
presenting a used one again means it was stolen, so the whole family is revoked
(RFC 9700 §4.14.2). Every access token names its family (`sid`): when a family is revoked —
by logout or by reuse — its `sid` goes on a Redis deny-list for as long as an access token
lives, so no token of that session works any more, whichever copy issued it.

Redis keeps nothing on disk, and a sign-out during a Redis outage writes no deny-list entry:
either way the deny-list would forget sessions PostgreSQL knows are revoked, and their access
tokens would work again for the rest of their lives. A process keeps the entries it could not
write and writes them at its next check that reaches Redis; until then its own checks ask
PostgreSQL. Every check reads the mark that the deny-list is whole (`DENY_LIST_RESTORED`):
the time one process last put every session revoked within an access token's lifetime back
on the list from PostgreSQL (`restore_deny_list`). Redis lets it lapse after
`DENY_LIST_REFRESH_SECONDS` (a restart loses it sooner), and a process trusts it only if it
is newer than its own last Redis failure; otherwise the check asks PostgreSQL, and restores
the list. So a session signed out during an outage by a process that never reaches Redis
again (a Lambda sandbox reclaimed, say) is refused by the processes that saw the outage from
their next check on, and by every other within `DENY_LIST_REFRESH_SECONDS` of Redis answering
again, rather than for the rest of its access tokens' lives.

A second key, `DENY_LIST_FRESH`, is written with the mark and lapses earlier
(`DENY_LIST_EARLY_SECONDS`): the first check to find it gone restores the list while the mark
still holds, so in a busy deployment the mark never lapses and checks keep trusting Redis
rather than all asking PostgreSQL at once every minute. Both lapse by Redis's clock, so hosts'
clocks, which may disagree, never decide when a restore is due.
"""

import logging
import math
import threading
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from redis.exceptions import LockNotOwnedError, RedisError
from sqlalchemy import func, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from shared.audit.service import Actor, record, record_refusal
from shared.auth import throttle, tokens
from shared.auth.models import RefreshToken
from shared.cache import (
    get_redis,
    get_redis_bytes,
    last_failure_at,
    redis_available,
    redis_failed,
)
from shared.clock import utcnow
from shared.config import get_settings
from shared.db import new_session
from shared.errors import Unauthorized
from shared.users.models import User
from shared.users.passwords import burn_verification_time, verify_and_upgrade
from shared.users.service import by_username

logger = logging.getLogger(__name__)
REVOKED_PREFIX = "auth:revoked-access:"
REVOKED_SESSION_PREFIX = "auth:revoked-session:"
DENY_LIST_RESTORED = "auth:deny-list-restored"  # when it was last restored (epoch seconds)
DENY_LIST_REFRESH_SECONDS = 60  # the longest a sign-out Redis never heard of goes unrefused
DENY_LIST_FRESH = "auth:deny-list-fresh"  # written with the mark; lapses first
DENY_LIST_EARLY_SECONDS = 45  # restored this long after the last restore, if anyone checks
_RESTORING = "auth:deny-list-restoring"  # one process restores it at a time
_RESTORE_LOCK_SECONDS = 30
_RESTORE_BACKOFF_SECONDS = 5  # after PostgreSQL failed; well within the mark's last 15 s


class _Unwritten:
    """Deny-list entries this process could not write (Redis down), until it can: each with
    the time it lapses."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: dict[str, datetime] = {}

    def add(self, key: str, until: datetime) -> None:
        with self._lock:
            self._entries[key] = until

    def __bool__(self) -> bool:
        return bool(self._entries)

    def write(self, redis: Any) -> None:
        """Write the entries still in force (raises RedisError, keeping them, if Redis fails)."""
        with self._lock:
            entries = dict(self._entries)
        now = utcnow()
        pipe = redis.pipeline(transaction=False)
        for key, until in entries.items():
            if (left := math.ceil((until - now).total_seconds())) > 0:
                pipe.set(key, "1", ex=left)
        pipe.execute()
        with self._lock:
            for key, until in entries.items():
                if self._entries.get(key) == until:
                    del self._entries[key]


_unwritten = _Unwritten()


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    refresh_token: str
    expires_in: int


def authenticate(session: Session, username: str, password: str, address: str) -> User:
    """The user these credentials belong to. `address` is the client's IP address, as the
    HTTP API saw it (API Gateway's sourceIp), for throttling; a header never sets it."""
    throttle.check(username, address)  # 503 while the throttle store is down: fail closed
    user = by_username(session, username)
    if user is None:
        burn_verification_time(password)
        valid, upgraded = False, None
    else:
        valid, upgraded = verify_and_upgrade(password, user.password_hash)
    if user is None or not valid or not user.is_active:
        used_up = throttle.record_failure(username, address)
        record_refusal(
            session,
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
        record(session, Actor.of(user), "user.password_rehashed", "user", user.id)
    return user


def issue_pair(session: Session, user: User, family_id: uuid.UUID | None = None) -> TokenPair:
    """A new access token and refresh token for the user; the refresh token joins `family_id`'s
    family, or starts one."""
    settings = get_settings()
    family = family_id or uuid.uuid4()
    access_lifetime = timedelta(minutes=settings.access_token_minutes)
    access = tokens.issue(
        tokens.TokenType.ACCESS,
        user.id,
        access_lifetime,
        extra={"role": user.role, "sid": str(family)},
    )
    refresh = tokens.issue(
        tokens.TokenType.REFRESH, user.id, timedelta(days=settings.refresh_token_days)
    )
    session.add(
        RefreshToken(
            jti=refresh.jti, user_id=user.id, family_id=family, expires_at=refresh.expires_at
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
    # Locked: a logout or another refresh of the same token waits, then sees what this did.
    row = session.get(RefreshToken, uuid.UUID(claims["jti"]), with_for_update=True)
    if row is None or row.revoked_at is not None:
        raise Unauthorized("The refresh token is not valid.", code="invalid_token")
    if row.used_at is not None:
        _reuse_detected(session, row)
        return ReuseDetected(row.user_id)
    user = session.get(User, row.user_id)
    if user is None or not user.is_active:
        raise Unauthorized("The refresh token is not valid.", code="invalid_token")
    row.used_at = utcnow()
    return issue_pair(session, user, family_id=row.family_id)


def logout(session: Session, access_claims: dict[str, Any], refresh_token: str | None) -> None:
    """End the caller's session: every token of its family, refresh and access, whichever copy
    issued them. A refresh token that is invalid or another user's is refused (401) before
    anything changes; one already rotated counts as reuse (the family was stolen)."""
    row = None
    if refresh_token:
        claims = tokens.verify(refresh_token, tokens.TokenType.REFRESH)
        if claims["sub"] != access_claims["sub"]:
            raise Unauthorized("The refresh token belongs to another user.", code="invalid_token")
        # The same lock a refresh takes: a logout racing a refresh of this token runs after it
        # (and finds the token used: reuse) or before it (and the refresh finds it revoked).
        row = session.get(RefreshToken, uuid.UUID(claims["jti"]), with_for_update=True)
        if row is None:
            raise Unauthorized("The refresh token is not valid.", code="invalid_token")
    _deny_access(access_claims["jti"])
    families = {uuid.UUID(access_claims["sid"])} if "sid" in access_claims else set()
    if row is not None:
        if row.used_at is not None and row.revoked_at is None:
            _reuse_detected(session, row)
        families.add(row.family_id)
    for family in families:
        _revoke_family(session, family)


def revoke_sessions(session: Session, user_id: uuid.UUID) -> int:
    """Sign the user out everywhere (a password reset): every session's refresh tokens are
    revoked, and its access tokens denied; how many sessions that ended."""
    families = session.scalars(
        select(RefreshToken.family_id)
        .where(RefreshToken.user_id == user_id, RefreshToken.revoked_at.is_(None))
        .distinct()
    ).all()
    for family in families:
        _revoke_family(session, family)
    return len(families)


def deny_keys(claims: dict[str, Any]) -> list[str]:
    """The Redis keys a check of this access token reads (see `revoked_by`): the mark that the
    deny-list is whole, and the entries that say the token, or its session, was signed out."""
    keys = [DENY_LIST_RESTORED, DENY_LIST_FRESH, REVOKED_PREFIX + claims["jti"]]
    if "sid" in claims:
        keys.append(REVOKED_SESSION_PREFIX + claims["sid"])
    return keys


def revoked_by(claims: dict[str, Any], denied: Sequence[str | bytes | None]) -> bool | None:
    """Whether the values read for `deny_keys(claims)` say the token or its session was signed
    out (an entry present, whatever it holds); None when the deny-list cannot say (see the
    module's docstring): PostgreSQL must (`is_revoked`). A list due for its refresh is
    restored by this check, which then answers from what the restore found."""
    if len(denied) != len(deny_keys(claims)):  # not what this check reads: trust nothing
        return None
    restored_at, fresh, *entries = denied
    if not _whole(restored_at):
        return None
    revoked = any(value is not None for value in entries)
    if fresh is None:
        restored = restore_deny_list(early=True)
        if not revoked and restored is not None:  # what was read may predate a sign-out
            return claims.get("sid") in restored
    return revoked


def _whole(restored_at: str | bytes | None) -> bool:
    """Whether this process may trust a deny-list last restored at `restored_at` (the mark)."""
    if restored_at is None or _unwritten:
        return False
    try:
        restored = float(restored_at)
    except ValueError:  # not a mark this code wrote: trust nothing
        return False
    return restored >= last_failure_at()  # False if older than this process's outage, or NaN


def is_revoked(
    session: Session, claims: dict[str, Any], denied: Sequence[str | bytes | None] | None = None
) -> bool:
    """Whether this access token, or the session it belongs to, was signed out. `denied` are
    the values of `deny_keys` when the caller already read them from Redis. Where the
    deny-list cannot say (Redis down, or not whole), PostgreSQL says whether the session's
    family was revoked (every sign-out revokes it), so a signed-out session stays out and
    nobody else is locked out."""
    if _unwritten and redis_available():
        try:
            _unwritten.write(get_redis())
            denied = None  # read before they were written
        except RedisError:
            redis_failed()
    if denied is None and redis_available():
        try:
            denied = get_redis_bytes().mget(deny_keys(claims))
        except RedisError:
            redis_failed()
            logger.warning("token deny-list unavailable; checking sessions in the database")
    if denied is not None:
        revoked = revoked_by(claims, denied)
        if revoked is not None:
            return revoked
        if not _unwritten:
            restore_deny_list()
    if "sid" not in claims:
        return False
    revoked_rows = select(RefreshToken.jti).where(
        RefreshToken.family_id == uuid.UUID(claims["sid"]), RefreshToken.revoked_at.is_not(None)
    )
    return session.scalar(revoked_rows.limit(1)) is not None


def restore_deny_list(*, early: bool = False) -> set[str] | None:
    """Put every session revoked within an access token's lifetime back on the deny-list, and
    mark it whole as of now: after Redis lost it (a restart), after an outage, and every
    `DENY_LIST_EARLY_SECONDS` (`early`: the mark still holds). One process at a time; the
    others ask PostgreSQL meanwhile, or trust the mark while it holds. Sign-outs meanwhile
    write their own entries, which this only adds to. The sessions it put on the list; None
    if it did not restore it. Best effort: whatever fails, checks go on asking PostgreSQL.
    After PostgreSQL failed, the lock is kept for `_RESTORE_BACKOFF_SECONDS`, so the next try
    comes then rather than at every check (each would wait on it), and still before the mark
    lapses."""
    try:
        redis = get_redis()
        restoring = redis.lock(_RESTORING, timeout=_RESTORE_LOCK_SECONDS, blocking=False)
        if not restoring.acquire():
            return None
    except RedisError:
        redis_failed()
        return None
    release = True
    try:
        # Checks that found the list due while another process restored it: done already.
        if early and redis.exists(DENY_LIST_FRESH):
            return None
        lifetime = get_settings().access_token_minutes * 60
        now = utcnow()
        revoked_at_most_recently = func.max(RefreshToken.revoked_at).label("revoked_at")
        # A session of its own: a failure here must not abort the caller's transaction.
        with new_session() as session:
            revoked: list[tuple[uuid.UUID, datetime]] = [
                (family_id, at)
                for family_id, at in session.execute(
                    select(RefreshToken.family_id, revoked_at_most_recently)
                    .where(RefreshToken.revoked_at > now - timedelta(seconds=lifetime))
                    .group_by(RefreshToken.family_id)
                )
                if at is not None
            ]
        pipe = redis.pipeline(transaction=False)
        for family_id, revoked_at in revoked:
            # Its last access token was issued before it was revoked: it lives no longer.
            left = lifetime - (now - revoked_at).total_seconds()
            pipe.set(REVOKED_SESSION_PREFIX + str(family_id), "1", ex=max(1, math.ceil(left)))
        # As of the time read before PostgreSQL: whatever was revoked by then is on the list.
        pipe.set(DENY_LIST_RESTORED, str(now.timestamp()), ex=DENY_LIST_REFRESH_SECONDS)
        pipe.set(DENY_LIST_FRESH, "1", ex=DENY_LIST_EARLY_SECONDS)
        pipe.execute()
        logger.info("token deny-list restored", extra={"sessions": len(revoked)})
        return {str(family_id) for family_id, _ in revoked}
    except SQLAlchemyError:
        logger.warning(
            "token deny-list not restored: PostgreSQL failed",
            extra={"next_try_seconds": _RESTORE_BACKOFF_SECONDS},
        )
        try:
            restoring.extend(_RESTORE_BACKOFF_SECONDS, replace_ttl=True)
            release = False
        except LockNotOwnedError:
            pass  # it outlived its lock; releasing it says so below
        except RedisError:
            redis_failed()
        return None
    except RedisError:
        redis_failed()
        logger.warning("token deny-list not restored; checking sessions in the database")
        return None
    finally:
        try:
            if release:
                restoring.release()
        except LockNotOwnedError:  # it outlived its lock: another process may hold it now
            logger.warning("token deny-list restore outlived its lock")
        except RedisError:
            redis_failed()


def _deny(key: str) -> None:
    """Put a token or session on the deny-list for as long as an access token lives. With
    Redis down the revocation in PostgreSQL is what holds (see `is_revoked`), and the entry is
    written at this process's next check that reaches Redis."""
    lifetime = get_settings().access_token_minutes * 60
    if redis_available():
        try:
            get_redis().set(key, "1", ex=lifetime)
            return
        except RedisError:
            redis_failed()
    logger.warning("token deny-list unavailable; the session is revoked in the database")
    _unwritten.add(key, utcnow() + timedelta(seconds=lifetime))


def _deny_access(jti: str) -> None:
    _deny(REVOKED_PREFIX + jti)


def _reuse_detected(session: Session, row: RefreshToken) -> None:
    _revoke_family(session, row.family_id)
    record(
        session,
        Actor.anonymous(),
        "auth.refresh_reuse_detected",
        "user",
        row.user_id,
        details={"family_id": str(row.family_id)},
    )


def _revoke_family(session: Session, family_id: uuid.UUID) -> None:
    # Access tokens of the session die with it: they name it (`sid`) and live this long at most.
    _deny(REVOKED_SESSION_PREFIX + str(family_id))
    session.execute(
        update(RefreshToken)
        .where(RefreshToken.family_id == family_id, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
