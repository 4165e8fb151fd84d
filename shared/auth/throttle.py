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

from shared.cache import get_redis
from shared.config import get_settings
from shared.errors import TooManyRequests


def _key(kind: str, value: str) -> str:
    digest = hashlib.sha256(value.encode()).hexdigest()[:32]
    return f"{get_settings().resource_prefix}:auth:login-failures:{kind}:{digest}"


def _keys(username: str, address: str) -> list[tuple[str, int]]:
    settings = get_settings()
    return [
        (_key("account", username.casefold()), settings.login_failures_per_account),
        (_key("address", address), settings.login_failures_per_address),
    ]


def check(username: str, address: str) -> None:
    """Refuse the attempt if the account or the address has used up its failures."""
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
    get_redis().delete(_key("account", username.casefold()))
