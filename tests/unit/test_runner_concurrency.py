"""The local runner scales each queue as the topology says, as the SAM template does
(tests/unit/test_template.py checks the template's ScalingConfig against the same numbers),
and the outbox groups events into SNS PublishBatch calls. The gateway's in-process functions
have a pooled database connection for each call they can run at once."""

import json
import os
import subprocess
import sys
import threading
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from infra.local import runner
from shared.messaging import outbox
from shared.messaging.topology import QUEUES, QueueSpec
from shared.workflow.events import EventType

ROOT = Path(__file__).resolve().parents[2]


def test_each_queue_gets_its_maximum_concurrency_of_pollers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    polled: list[tuple[str, str]] = []
    lock = threading.Lock()

    def record(queue: QueueSpec, stop: threading.Event) -> None:
        with lock:
            polled.append((queue.name, threading.current_thread().name))

    monkeypatch.setattr(runner, "_poll_forever", record)
    monkeypatch.setattr(runner, "_schedule_forever", lambda stop: None)
    monkeypatch.setattr(runner, "function_handler", lambda function: None)
    monkeypatch.delenv("FUNCTION_URL_TEMPLATE", raising=False)
    threads = runner.run(threading.Event())
    for thread in threads:
        thread.join(5)

    assert Counter(name for name, _ in polled) == {q.name: q.maximum_concurrency for q in QUEUES}
    assert len({thread for _, thread in polled}) == len(polled)  # each on a thread of its own
    assert runner.connections_needed() == sum(q.maximum_concurrency for q in QUEUES) + 1


def test_functions_in_containers_get_one_poller_per_queue(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Each container's emulator takes one invocation at a time: more pollers would only wait.
    monkeypatch.setenv("FUNCTION_URL_TEMPLATE", "http://fn-{function}:8080/")
    assert Counter(queue.name for queue, _ in runner.pollers()) == {q.name: 1 for q in QUEUES}


def test_the_notify_queue_is_scaled_beyond_the_minimum() -> None:
    [notify] = [q for q in QUEUES if q.name == "notify"]
    assert notify.maximum_concurrency > min(q.maximum_concurrency for q in QUEUES)


@pytest.mark.parametrize("concurrency", [0, 1, 1001])
def test_lambda_refuses_a_maximum_concurrency_outside_2_to_1000(concurrency: int) -> None:
    with pytest.raises(ValueError, match="maximum_concurrency"):
        QueueSpec("q", "notify", (EventType.STAGE_ASSIGNED,), maximum_concurrency=concurrency)


def _entry(index: int, size: int) -> dict[str, Any]:
    return {"Id": str(index), "Message": json.dumps({"x": "a" * size})}


def test_publish_batches_hold_at_most_ten_events_in_order() -> None:
    entries = [_entry(i, 10) for i in range(23)]
    batches = list(outbox._batches(entries))
    assert [len(b) for b in batches] == [10, 10, 3]
    assert [e for b in batches for e in b] == entries


def test_publish_batches_stay_under_sns_total_size() -> None:
    entries = [_entry(i, 60 * 1024) for i in range(6)]  # 64 KiB messages are allowed
    batches = list(outbox._batches(entries))
    assert [e for b in batches for e in b] == entries
    for batch in batches:
        assert sum(len(e["Message"].encode()) for e in batch) <= outbox.PUBLISH_BATCH_BYTES
    assert len(batches) > 1


def _gateway_pool(env: dict[str, str]) -> tuple[int, int, bool]:
    """(function threads, pool size, DB_POOL_SIZE in its environment afterwards) of a fresh
    process that imports the gateway, as uvicorn does (settings are read once per process)."""
    probe = (
        "import os; from infra.local import gateway; from shared.db import get_engine; "
        "print(gateway.FUNCTION_THREADS, get_engine().pool.size(), 'DB_POOL_SIZE' in os.environ)"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], env=env, cwd=ROOT, capture_output=True, text=True, check=True
    )
    threads, pooled, left = out.stdout.split()
    return int(threads), int(pooled), left == "True"


def test_the_gateway_pool_holds_a_connection_for_every_function_thread() -> None:
    env = {
        k: v for k, v in os.environ.items() if k not in ("DB_POOL_SIZE", "FUNCTION_URL_TEMPLATE")
    }
    threads, pooled, left = _gateway_pool(env)
    # Fewer and the pool's overflow opens and closes a connection per call under load.
    assert pooled == threads
    # Nothing is written to the environment, which the processes it starts would inherit.
    assert not left


def test_the_gateway_pool_follows_db_pool_size_when_it_is_set() -> None:
    env = {k: v for k, v in os.environ.items() if k != "FUNCTION_URL_TEMPLATE"}
    threads, pooled, _ = _gateway_pool(env | {"DB_POOL_SIZE": "3"})
    assert threads != 3
    assert pooled == 3


def test_sizing_the_pool_after_it_was_made_is_logged_not_ignored_silently() -> None:
    """A process that makes its engine before sizing the pool would leave its functions
    waiting for connections: that mistake shows in the log."""
    env = {k: v for k, v in os.environ.items() if k != "DB_POOL_SIZE"}
    probe = (
        "import logging; logging.basicConfig(); "
        "from shared.db import get_engine, size_pool_for; "
        "size_pool_for(4); get_engine(); size_pool_for(4); size_pool_for(9); "
        "print(get_engine().pool.size())"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], env=env, cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.split() == ["4"]
    # Once: sizing it for as many units as it holds is no mistake.
    assert out.stderr.count("the connection pool was made before it was sized") == 1
    # Nor is a pool the operator sized (DB_POOL_SIZE): it was never the runner's to size.
    chosen = subprocess.run(
        [sys.executable, "-c", probe],
        env={**env, "DB_POOL_SIZE": "2"},
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert chosen.stdout.split() == ["2"]
    assert "the connection pool was made before it was sized" not in chosen.stderr
