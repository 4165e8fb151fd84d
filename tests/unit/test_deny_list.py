"""The deny-list (shared.auth.service): when a check trusts what Redis says; how a restore
from PostgreSQL marks it, and how often one is tried; and the entries a process could not
write (`_Unwritten`), written back with what is left of their lives, never after they lapse,
and never lost to a sign-out that lands while they are being written. A fake Redis: what
reaches real Redis is tested in tests/integration/test_sessions.py and test_read_cache.py."""

import time
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


def test_a_check_trusts_the_deny_list_only_if_restored_since_redis_last_failed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(cache, "_last_failure_at", 0.0)
    restored = str(time.time() - 5).encode()  # as the cached path reads it, in bytes
    assert revoked_by([restored, b"1", None, b"1"]) is True  # the session was signed out
    assert revoked_by([restored.decode(), "1", None, None]) is False
    # Cannot say, so PostgreSQL answers: no mark (lapsed, or Redis restarted), a mark this
    # code did not write, or one from before this process last saw Redis fail.
    assert revoked_by([None, "1", None, None]) is None
    assert revoked_by(["true", "1", None, None]) is None
    assert revoked_by(["nan", "1", None, None]) is None
    monkeypatch.setattr(cache, "_last_failure_at", time.time() - 1)
    assert revoked_by([restored, "1", None, None]) is None


def test_a_list_due_for_its_refresh_answers_and_is_restored_before_the_mark_lapses(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(cache, "_last_failure_at", 0.0)
    restores: list[bool] = []
    monkeypatch.setattr(service, "restore_deny_list", lambda early: restores.append(early))
    restored = str(time.time() - 50)
    assert revoked_by([restored, "1", None, None]) is False
    assert restores == []  # fresh: nothing to do
    assert revoked_by([restored, None, None, "1"]) is True  # due: still answers
    assert revoked_by([restored, None, None, None]) is False
    assert restores == [True, True]
    # A list that cannot say is restored by the check that asks PostgreSQL, not early.
    assert revoked_by([None, None, None, None]) is None
    assert restores == [True, True]


def test_a_process_with_sign_outs_it_could_not_write_does_not_trust_the_deny_list(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(cache, "_last_failure_at", 0.0)
    unwritten = _Unwritten()
    unwritten.add("auth:revoked-session:a", utcnow() + timedelta(minutes=10))
    monkeypatch.setattr(service, "_unwritten", unwritten)
    assert revoked_by([str(time.time()), "1", None, None]) is None


class FakeLock:
    def __init__(self) -> None:
        self.held = False

    def acquire(self) -> bool:
        if self.held:
            return False
        self.held = True
        return True

    def release(self) -> None:
        self.held = False


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


def _no_revoked_sessions() -> Any:
    session = MagicMock()
    session.__enter__.return_value.execute.return_value = []
    return session


def test_a_restore_marks_the_list_whole_and_fresh_and_lets_the_next_one_run(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    redis = LockingRedis()
    monkeypatch.setattr(service, "get_redis", lambda: redis)
    monkeypatch.setattr(service, "new_session", _no_revoked_sessions)
    service.restore_deny_list(early=True)
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
    service.restore_deny_list(early=True)
    assert redis.written == {}
    assert not redis.restoring.held


def test_after_postgresql_fails_the_restore_waits_for_its_lock_to_lapse(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Not tried again by every check that finds the list due, each waiting on a database
    that is not answering: the lock is left to lapse (`_RESTORE_LOCK_SECONDS`)."""
    redis = LockingRedis()
    monkeypatch.setattr(service, "get_redis", lambda: redis)
    down = MagicMock(side_effect=OperationalError("SELECT", {}, Exception("refused")))
    monkeypatch.setattr(service, "new_session", down)
    monkeypatch.setattr(cache, "_last_failure_at", 0.0)
    service.restore_deny_list(early=True)
    service.restore_deny_list(early=True)
    assert down.call_count == 1
    assert redis.restoring.held
    assert redis.written == {}
    assert cache.last_failure_at() == 0.0  # Redis did not fail: its breaker stays closed
