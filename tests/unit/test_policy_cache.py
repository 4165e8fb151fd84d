"""A warm function reads the credit policy once per POLICY_CACHE_SECONDS, and says so in
cache_hits_total / cache_misses_total."""

import copy
from collections.abc import Iterator
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from prometheus_client import REGISTRY

from shared import clock
from shared.config import get_settings
from shared.credit import policy
from shared.credit.models import Policy


class PolicyTable:
    """The `policies` row as the session would return it, counting reads."""

    def __init__(self) -> None:
        self.document = copy.deepcopy(policy.DEFAULT_POLICY)
        self.reads = 0

    def get(self, model: type, name: str) -> Any:
        assert (model, name) == (Policy, policy.POLICY_NAME)
        self.reads += 1
        return Policy(name=name, document=copy.deepcopy(self.document))


def counted(name: str) -> float:
    return REGISTRY.get_sample_value(name, {"cache": "policy"}) or 0.0


@pytest.fixture
def fresh_cache() -> Iterator[None]:
    def reset() -> None:
        get_settings.cache_clear()
        policy._policy_cache.cache_clear()

    reset()
    yield
    reset()


@pytest.fixture
def now(monkeypatch: pytest.MonkeyPatch) -> list[datetime]:
    """The clock the cache reads; tests move it forward."""
    moment = [clock.utcnow()]
    monkeypatch.setattr(clock, "utcnow", lambda: moment[0])
    return moment


def test_a_warm_function_reads_the_policy_once_until_it_expires(
    fresh_cache: None, now: list[datetime]
) -> None:
    table = PolicyTable()
    hits, misses = counted("cache_hits_total"), counted("cache_misses_total")

    first = policy.load(table)  # type: ignore[arg-type]
    table.document["reference_annual_rate"] = "0.2"  # an administrator edits the policy
    now[0] += timedelta(seconds=get_settings().policy_cache_seconds - 1)
    second = policy.load(table)  # type: ignore[arg-type]

    assert table.reads == 1
    assert second == first
    assert counted("cache_hits_total") == hits + 1
    assert counted("cache_misses_total") == misses + 1

    now[0] += timedelta(seconds=2)  # past the TTL: the edit is picked up
    third = policy.load(table)  # type: ignore[arg-type]

    assert table.reads == 2
    assert third.reference_annual_rate == Decimal("0.2")
    assert counted("cache_misses_total") == misses + 2


def test_a_zero_ttl_reads_the_policy_for_every_use(
    fresh_cache: None, now: list[datetime], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("POLICY_CACHE_SECONDS", "0")
    get_settings.cache_clear()
    table = PolicyTable()
    hits = counted("cache_hits_total")

    policy.load(table)  # type: ignore[arg-type]
    policy.load(table)  # type: ignore[arg-type]

    assert table.reads == 2
    assert counted("cache_hits_total") == hits
