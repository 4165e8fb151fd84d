"""A warm function reads the credit policy once until another version is activated (seen
within about a second, through the policy scope's version in Redis), a scheduled one falls
due, or POLICY_CACHE_SECONDS pass; and says so in cache_hits_total / cache_misses_total."""

import copy
from collections.abc import Iterator
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from prometheus_client import REGISTRY

from shared import clock
from shared.config import get_settings
from shared.credit import policy


class PolicyTable:
    """The active version as the database would return it, counting reads; and the policy
    scope's version in Redis (None: Redis away)."""

    def __init__(self) -> None:
        self.document = copy.deepcopy(policy.DEFAULT_POLICY)
        self.version = 1
        self.next_activation: datetime | None = None
        self.stamp: str | None = "0,0"
        self.reads = 0

    def read(self, _session: object) -> tuple[policy.ActivePolicy, float | None]:
        self.reads += 1
        loaded = policy.ActivePolicy(
            self.version, policy.CreditPolicy.model_validate(copy.deepcopy(self.document))
        )
        upcoming = self.next_activation
        return loaded, None if upcoming is None else upcoming.timestamp()

    def activate(self, rate: str) -> None:
        self.document["reference_annual_rate"] = rate
        self.version += 1


def counted(name: str) -> float:
    return REGISTRY.get_sample_value(name, {"cache": "policy"}) or 0.0


@pytest.fixture
def table(monkeypatch: pytest.MonkeyPatch) -> Iterator[PolicyTable]:
    def reset() -> None:
        get_settings.cache_clear()
        policy._policy_cache.cache_clear()

    table = PolicyTable()
    monkeypatch.setattr(policy, "_read", table.read)
    monkeypatch.setattr(policy, "scope_stamp", lambda *_: table.stamp)
    reset()
    yield table
    reset()


@pytest.fixture
def now(monkeypatch: pytest.MonkeyPatch) -> list[datetime]:
    """The clock the cache reads; tests move it forward."""
    moment = [clock.utcnow()]
    monkeypatch.setattr(clock, "utcnow", lambda: moment[0])
    return moment


def load(table: PolicyTable) -> policy.ActivePolicy:
    return policy.active(None)  # type: ignore[arg-type]


def test_a_warm_function_reads_the_policy_once_until_it_expires(
    table: PolicyTable, now: list[datetime]
) -> None:
    hits, misses = counted("cache_hits_total"), counted("cache_misses_total")

    first = load(table)
    table.document["reference_annual_rate"] = "0.2"  # changed behind the cache's back
    now[0] += timedelta(seconds=get_settings().policy_cache_seconds - 1)
    second = load(table)

    assert table.reads == 1
    assert second == first
    assert counted("cache_hits_total") == hits + 1
    assert counted("cache_misses_total") == misses + 1

    now[0] += timedelta(seconds=2)  # past the TTL: read again
    third = load(table)

    assert table.reads == 2
    assert third.policy.reference_annual_rate == Decimal("0.2")
    assert counted("cache_misses_total") == misses + 2


def test_an_activation_elsewhere_is_followed_within_a_second(
    table: PolicyTable, now: list[datetime]
) -> None:
    assert load(table).version == 1
    table.activate("0.2")
    table.stamp = "0,1"  # the activating process bumped the policy scope

    now[0] += timedelta(seconds=0.5)
    assert load(table).version == 1  # Redis is asked at most once a second
    now[0] += timedelta(seconds=0.6)
    followed = load(table)

    assert followed.version == 2
    assert followed.policy.reference_annual_rate == Decimal("0.2")
    assert table.reads == 2


def test_without_redis_the_ttl_still_bounds_the_staleness(
    table: PolicyTable, now: list[datetime]
) -> None:
    table.stamp = None
    load(table)
    table.activate("0.2")

    now[0] += timedelta(seconds=get_settings().policy_cache_seconds - 1)
    assert load(table).version == 1
    now[0] += timedelta(seconds=2)
    assert load(table).version == 2


def test_a_scheduled_activation_ends_the_entry_at_its_time(
    table: PolicyTable, now: list[datetime]
) -> None:
    table.next_activation = now[0] + timedelta(seconds=10)
    load(table)
    table.activate("0.2")  # what the read at that time will promote

    now[0] += timedelta(seconds=9)
    assert load(table).version == 1
    now[0] += timedelta(seconds=2)
    assert load(table).version == 2


def test_a_zero_ttl_reads_the_policy_for_every_use(
    table: PolicyTable, now: list[datetime], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("POLICY_CACHE_SECONDS", "0")
    get_settings.cache_clear()
    hits = counted("cache_hits_total")

    load(table)
    load(table)

    assert table.reads == 2
    assert counted("cache_hits_total") == hits
