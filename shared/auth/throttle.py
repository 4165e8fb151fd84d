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

The account calls that cost something to answer — registering (each account is another
hourly submission budget) and asking for a password-reset or verification email — spend
hourly budgets the same way (`spend`): every attempt counts, and past the budget the answer
is 429 with `Retry-After`. Like sign-in, they are refused (503) while Redis cannot count.
"""

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from redis.exceptions import RedisError

from shared.cache import get_redis, redis_available, redis_failed
from shared.config import get_settings
from shared.errors import ServiceUnavailable, TooManyRequests

# While Redis is down nobody can be counted, so nobody signs in (existing sessions go on):
# guessing must never get an unthrottled window.
OUTAGE_RETRY_SECONDS = 30
HOUR = 3600


def _key(kind: str, value: str, counter: str = "login-failures") -> str:
    digest = hashlib.sha256(value.encode()).hexdigest()[:32]
    return f"{get_settings().resource_prefix}:auth:{counter}:{kind}:{digest}"


def _keys(username: str, address: str) -> list[tuple[str, int]]:
    settings = get_settings()
    return [
        (_key("account", username.casefold()), settings.login_failures_per_account),
        (_key("address", address), settings.login_failures_per_address),
    ]


@contextmanager
def _store(what: str = "Signing in", code: str = "sign_in_unavailable") -> Iterator[None]:
    if not redis_available():
        raise _unavailable(what, code)
    try:
        yield
    except RedisError as exc:
        redis_failed()
        raise _unavailable(what, code) from exc


def _unavailable(what: str, code: str) -> ServiceUnavailable:
    return ServiceUnavailable(
        f"{what} is briefly unavailable. Try again shortly.",
        retry_after=OUTAGE_RETRY_SECONDS,
        code=code,
    )


@dataclass(frozen=True)
class Budget:
    """An hourly allowance of one kind of account call (`spend`)."""

    counter: str  # the Redis key's part: registrations, password-resets, ...
    what: str  # the call, as the refusals name it: "Registering"
    code: str  # the 429's code; the 503's is `<counter>_unavailable`


REGISTRATIONS = Budget("registrations", "Registering", "registration_throttled")
PASSWORD_RESETS = Budget("password-resets", "Resetting a password", "password_reset_throttled")
VERIFICATION_EMAILS = Budget(
    "verification-emails", "Sending a verification email", "verification_throttled"
)


def spend(budget: Budget, limits: dict[str, tuple[str, int]]) -> None:
    """Count one call against each of `limits` (kind: (value, calls per hour)), e.g. the
    client address and the account; 429 with `Retry-After` once any is used up (the call is
    still counted), 503 while nothing can be counted."""
    unavailable_code = budget.counter.replace("-", "_") + "_unavailable"
    with _store(budget.what, unavailable_code):
        pipe = get_redis().pipeline(transaction=True)
        keys = [
            (_key(kind, value, budget.counter), limit) for kind, (value, limit) in limits.items()
        ]
        for key, _ in keys:
            pipe.incr(key)
            pipe.expire(key, HOUR, nx=True)
            pipe.ttl(key)
        answers = pipe.execute()
    for index, (_, limit) in enumerate(keys):
        count, ttl = int(answers[3 * index]), int(answers[3 * index + 2])
        if count > limit:
            raise TooManyRequests(
                f"{budget.what} was tried too often. Try again later.",
                retry_after=max(ttl, 1),
                code=budget.code,
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
