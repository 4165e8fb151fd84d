"""The Redis clients, made once per process at first use, and a breaker that stops asking a
Redis that just failed: while it is open, callers take their fallback at once instead of each
waiting out a timeout."""

import threading
import time
from functools import cache
from typing import TYPE_CHECKING

from shared.config import get_settings

if TYPE_CHECKING:
    from redis import Redis

# Short: Redis answers in a millisecond or not at all; a request must not hang on it.
SOCKET_TIMEOUT_SECONDS = 0.5
BREAKER_SECONDS = 5.0

_lock = threading.Lock()
_open_until = 0.0
_last_failure_at = 0.0  # wall-clock seconds (UTC epoch), comparable with other processes' marks


@cache
def get_redis() -> "Redis":
    """The process's Redis client for text values (throttles, deny-lists, versions)."""
    return _client(decode=True)


@cache
def get_redis_bytes() -> "Redis":
    """The process's Redis client for bytes (cached answers), over its own connections."""
    return _client(decode=False)


def _client(decode: bool) -> "Redis":
    # Imported with the first client: the redis package loads its asyncio, cluster and
    # OpenTelemetry modules too, a cold-start cost for every process that never reaches Redis.
    from redis import Redis

    return Redis.from_url(
        get_settings().redis_url,
        socket_timeout=SOCKET_TIMEOUT_SECONDS,
        socket_connect_timeout=SOCKET_TIMEOUT_SECONDS,
        decode_responses=decode,
    )


def redis_available() -> bool:
    """False for a few seconds after a Redis call failed (see `redis_failed`)."""
    return time.monotonic() >= _open_until


def redis_failed() -> None:
    """Record a failed Redis call: callers with a fallback skip Redis for BREAKER_SECONDS."""
    global _open_until, _last_failure_at
    with _lock:
        _open_until = time.monotonic() + BREAKER_SECONDS
        _last_failure_at = time.time()


def last_failure_at() -> float:
    """When this process last saw a Redis call fail (UTC epoch seconds; 0 for never): what
    Redis holds may lack what was written meanwhile, by this process or by another."""
    return _last_failure_at
