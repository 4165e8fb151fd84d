"""The deny-list (shared.auth.service): when a check trusts what Redis says; how a restore
from PostgreSQL marks it, and how often one is tried; and the entries a process could not
write (`_Unwritten`), written back with what is left of their lives, never after they lapse,
and never lost to a sign-out that lands while they are being written. A fake Redis: what
reaches real Redis is tested in tests/integration/test_sessions.py and test_read_cache.py."""

import time
import uuid
from datetime import timedelta
from typing import Any
from unittest.mock import MagicMock

import pytest
from redis.exceptions import ConnectionError as RedisConnectionError
from sqlalchemy.exc import OperationalError

from shared import cache
from shared.auth import service
from shared.auth.service import _Unwritten, revoked_by
from shared.clock import utcnow
from shared.config import get_settings


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


CLAIMS = {"jti": "token-1", "sid": "session-1"}  # deny_keys: mark, fresh, token, session


def test_a_check_trusts_the_deny_list_only_if_restored_since_redis_last_failed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(cache, "_last_failure_at", 0.0)
    restored = str(time.time() - 5).encode()  # as the cached path reads it, in bytes
    assert revoked_by(CLAIMS, [restored, b"1", None, b"1"]) is True  # the session signed out
    assert revoked_by(CLAIMS, [restored, b"1", b"1", None]) is True  # the token signed out
    assert revoked_by(CLAIMS, [restored.decode(), "1", None, None]) is False
    # Cannot say, so PostgreSQL answers: no mark (lapsed, or Redis restarted), a mark this
    # code did not write, values not read for this token's keys, or a mark from before this
    # process last saw Redis fail.
    assert revoked_by(CLAIMS, [None, "1", None, None]) is None
    assert revoked_by(CLAIMS, ["true", "1", None, None]) is None
    assert revoked_by(CLAIMS, ["nan", "1", None, None]) is None
    assert revoked_by(CLAIMS, [restored, "1", None]) is None
    monkeypatch.setattr(cache, "_last_failure_at", time.time() - 1)
    assert revoked_by(CLAIMS, [restored, "1", None, None]) is None


@pytest.mark.parametrize(
    ("restored_sessions", "revoked"),
    [
        ({"another-session"}, False),  # this check restored it: answered from what it found
        ({"session-1", "another-session"}, True),  # a sign-out Redis had not heard of
        (None, False),  # another process is restoring it: answered from the list as read
    ],
)
def test_a_list_due_for_its_refresh_is_restored_by_the_check_that_finds_it_due(
    monkeypatch: pytest.MonkeyPatch, restored_sessions: set[str] | None, revoked: bool
) -> None:
    monkeypatch.setattr(cache, "_last_failure_at", 0.0)
    restores: list[bool] = []

    def restore(early: bool) -> set[str] | None:
        restores.append(early)
        return restored_sessions

    monkeypatch.setattr(service, "restore_deny_list", restore)
    restored = str(time.time() - 50)
    assert revoked_by(CLAIMS, [restored, "1", None, None]) is False
    assert restores == []  # fresh: nothing to do
    assert revoked_by(CLAIMS, [restored, None, None, None]) is revoked
    assert revoked_by(CLAIMS, [restored, None, None, "1"]) is True  # already on the list
    assert restores == [True, True]
    # A list that cannot say is restored by the check that asks PostgreSQL, not early.
    assert revoked_by(CLAIMS, [None, None, None, None]) is None
    assert restores == [True, True]


def test_a_process_with_sign_outs_it_could_not_write_does_not_trust_the_deny_list(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(cache, "_last_failure_at", 0.0)
    unwritten = _Unwritten()
    unwritten.add("auth:revoked-session:a", utcnow() + timedelta(minutes=10))
    monkeypatch.setattr(service, "_unwritten", unwritten)
    assert revoked_by(CLAIMS, [str(time.time()), "1", None, None]) is None


class FakeLock:
    def __init__(self) -> None:
        self.held = False
        self.lapses_in: int | None = None

    def acquire(self) -> bool:
        if self.held:
            return False
        self.held = True
        return True

    def release(self) -> None:
        self.held = False

    def extend(self, seconds: int, replace_ttl: bool) -> bool:
        self.lapses_in = seconds
        return True


class LockingRedis(FakeRedis):
    """A FakeRedis with the restore's lock and the keys it looks at."""

    def __init__(self, present: frozenset[str] = frozenset()) -> None:
        super().__init__()
        self.restoring = FakeLock()
        self.present = present

    def lock(self, name: str, timeout: int, blocking: bool) -> FakeLock:
        return self.restoring

    def exists(self, key: str) -> int:
        return int(key in self.present)


def test_a_restore_puts_sessions_back_marks_the_list_whole_and_fresh_and_lets_the_next_run(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    family = uuid.uuid4()
    session = MagicMock()  # PostgreSQL: one session signed out a minute ago
    session.__enter__.return_value.execute.return_value = [
        (family, utcnow() - timedelta(minutes=1))
    ]
    redis = LockingRedis()
    monkeypatch.setattr(service, "get_redis", lambda: redis)
    monkeypatch.setattr(service, "new_session", lambda: session)
    assert service.restore_deny_list(early=True) == {str(family)}
    lifetime = get_settings().access_token_minutes * 60
    entry = redis.written.pop(service.REVOKED_SESSION_PREFIX + str(family))
    assert lifetime - 61 <= entry <= lifetime - 59  # as long as its tokens live, no longer
    assert redis.written == {
        service.DENY_LIST_RESTORED: service.DENY_LIST_REFRESH_SECONDS,
        service.DENY_LIST_FRESH: service.DENY_LIST_EARLY_SECONDS,
    }
    assert not redis.restoring.held


def test_an_early_restore_another_process_just_did_is_not_done_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    redis = LockingRedis(present=frozenset({service.DENY_LIST_FRESH}))
    monkeypatch.setattr(service, "get_redis", lambda: redis)
    asked = MagicMock(side_effect=AssertionError("PostgreSQL asked again"))
    monkeypatch.setattr(service, "new_session", asked)
    assert service.restore_deny_list(early=True) is None
    assert redis.written == {}
    assert not redis.restoring.held


def test_after_postgresql_fails_the_next_restore_waits_a_little(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Not tried again by every check that finds the list due, each waiting on a database
    that is not answering, nor so late that the mark lapses first: the lock is kept for
    `_RESTORE_BACKOFF_SECONDS`, inside the mark's last quarter."""
    redis = LockingRedis()
    monkeypatch.setattr(service, "get_redis", lambda: redis)
    down = MagicMock(side_effect=OperationalError("SELECT", {}, Exception("refused")))
    monkeypatch.setattr(service, "new_session", down)
    monkeypatch.setattr(cache, "_last_failure_at", 0.0)
    assert service.restore_deny_list(early=True) is None
    assert service.restore_deny_list(early=True) is None
    assert down.call_count == 1
    assert redis.restoring.held
    assert redis.restoring.lapses_in == service._RESTORE_BACKOFF_SECONDS
    assert (
        service._RESTORE_BACKOFF_SECONDS
        < service.DENY_LIST_REFRESH_SECONDS - service.DENY_LIST_EARLY_SECONDS
    )
    assert redis.written == {}
    assert cache.last_failure_at() == 0.0  # Redis did not fail: its breaker stays closed
