"""The Redis client, made once per process at first use."""

from functools import cache

from redis import Redis

from shared.config import get_settings


@cache
def get_redis() -> Redis:
    """The process's Redis client, made at first use."""
    return Redis.from_url(get_settings().redis_url, socket_timeout=2, decode_responses=True)
