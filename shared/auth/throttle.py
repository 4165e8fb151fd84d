"""Login throttling: failed sign-ins are counted in Redis per account and per client address.

Each counter is a fixed window that starts at the first failure and lasts
`LOGIN_THROTTLE_SECONDS`. Once an account has `LOGIN_FAILURES_PER_ACCOUNT` failures, or an
address `LOGIN_FAILURES_PER_ADDRESS`, every further attempt is refused with 429 and
`Retry-After` (the window's remaining seconds) *before* the password is checked, so guessing
goes no further even with the right password. A successful sign-in clears its account's
counter, never the address's (one valid account must not reset an attacker's budget).

Unknown usernames are counted exactly like real ones, so a 429 reveals nothing about which
accounts exist. Usernames are hashed in the keys: what someone typed there (sometimes a
password) is not stored.
"""

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager

from redis.exceptions import RedisError

from shared.cache import get_redis, redis_available, redis_failed
from shared.config import get_settings
from shared.errors import ServiceUnavailable, TooManyRequests

# While Redis is down nobody can be counted, so nobody signs in (existing sessions go on):
# guessing must never get an unthrottled window.
OUTAGE_RETRY_SECONDS = 30


def _key(kind: str, value: str) -> str:
    digest = hashlib.sha256(value.encode()).hexdigest()[:32]
    return f"{get_settings().resource_prefix}:auth:login-failures:{kind}:{digest}"


def _keys(username: str, address: str) -> list[tuple[str, int]]:
    settings = get_settings()
    return [
        (_key("account", username.casefold()), settings.login_failures_per_account),
        (_key("address", address), settings.login_failures_per_address),
    ]


@contextmanager
def _store() -> Iterator[None]:
    if not redis_available():
        raise _unavailable()
    try:
        yield
    except RedisError as exc:
        redis_failed()
        raise _unavailable() from exc


def _unavailable() -> ServiceUnavailable:
    return ServiceUnavailable(
        "Signing in is briefly unavailable. Try again shortly.",
        retry_after=OUTAGE_RETRY_SECONDS,
        code="sign_in_unavailable",
    )


def check(username: str, address: str) -> None:
    """Refuse the attempt if the account or the address has used up its failures (429), or
    while failures cannot be counted (503)."""
    with _store():
        _check(username, address)


def _check(username: str, address: str) -> None:
    redis = get_redis()
    keys = _keys(username, address)
    pipe = redis.pipeline(transaction=False)
    for key, _ in keys:
        pipe.get(key)
        pipe.ttl(key)
    answers = pipe.execute()
    for index, (_, limit) in enumerate(keys):
        count, ttl = answers[2 * index], answers[2 * index + 1]
        if count is not None and int(count) >= limit:
            raise TooManyRequests(
                "Too many failed sign-in attempts. Try again later.",
                retry_after=max(int(ttl), 1),
                code="login_throttled",
            )


def record_failure(username: str, address: str) -> bool:
    """Count a failed attempt. True when this failure used up a budget (worth auditing)."""
    with _store():
        return _record_failure(username, address)


def _record_failure(username: str, address: str) -> bool:
    window = get_settings().login_throttle_seconds
    keys = _keys(username, address)
    pipe = get_redis().pipeline(transaction=True)
    for key, _ in keys:
        pipe.incr(key)
        pipe.expire(key, window, nx=True)
    answers = pipe.execute()
    return any(int(answers[2 * i]) == limit for i, (_, limit) in enumerate(keys))


def record_success(username: str) -> None:
    """A correct sign-in: forget the account's failures (never the address's)."""
    with _store():
        get_redis().delete(_key("account", username.casefold()))
