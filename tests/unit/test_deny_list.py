"""The deny-list entries a process could not write (shared.auth.service._Unwritten): written
back with what is left of their lives, never after they lapse, and never lost to a sign-out
that lands while they are being written. A fake Redis pipeline: what reaches real Redis is
tested in tests/integration/test_sessions.py and test_read_cache.py."""

from datetime import timedelta
from typing import Any

import pytest
from redis.exceptions import ConnectionError as RedisConnectionError

from shared.auth.service import _Unwritten
from shared.clock import utcnow


class FakeRedis:
    """Records what a pipeline sets; `during` runs while it executes (a concurrent sign-out);
    `fails` makes it raise as an unreachable Redis does."""

    def __init__(self, during: Any = None, fails: bool = False) -> None:
        self.written: dict[str, int] = {}
        self.during = during
        self.fails = fails

    def pipeline(self, transaction: bool) -> "FakeRedis":
        self.pending: dict[str, int] = {}
        return self

    def set(self, key: str, value: str, ex: int) -> None:
        self.pending[key] = ex

    def execute(self) -> None:
        if self.fails:
            raise RedisConnectionError("unreachable")
        if self.during:
            self.during()
        self.written.update(self.pending)


def test_entries_are_written_with_what_is_left_of_their_lives() -> None:
    unwritten = _Unwritten()
    unwritten.add("auth:revoked-session:a", utcnow() + timedelta(minutes=10))
    unwritten.add("auth:revoked-session:lapsed", utcnow() - timedelta(seconds=1))
    redis = FakeRedis()
    unwritten.write(redis)
    assert list(redis.written) == ["auth:revoked-session:a"]
    assert 590 <= redis.written["auth:revoked-session:a"] <= 600
    assert not unwritten  # the lapsed one is dropped too: nothing left to write


def test_a_sign_out_during_the_write_is_kept_for_the_next() -> None:
    unwritten = _Unwritten()
    until = utcnow() + timedelta(minutes=10)
    unwritten.add("auth:revoked-session:a", until)
    later = until + timedelta(seconds=30)

    def sign_out() -> None:  # the same session signed out again, and another one
        unwritten.add("auth:revoked-session:a", later)
        unwritten.add("auth:revoked-session:b", later)

    unwritten.write(FakeRedis(during=sign_out))
    assert unwritten
    again = FakeRedis()
    unwritten.write(again)
    assert set(again.written) == {"auth:revoked-session:a", "auth:revoked-session:b"}
    assert not unwritten


def test_entries_are_kept_while_redis_fails() -> None:
    unwritten = _Unwritten()
    unwritten.add("auth:revoked-session:a", utcnow() + timedelta(minutes=10))
    with pytest.raises(RedisConnectionError):
        unwritten.write(FakeRedis(fails=True))
    assert unwritten
