"""What the local gateway's /metrics says when things go wrong: a scrape still answers, with
the HTTP counters, when PostgreSQL or the queues cannot be read (and says which could not);
and a method nobody routes is one label, not a series per word a client makes up."""

from typing import Any

import pytest
from botocore.exceptions import EndpointConnectionError
from fastapi.testclient import TestClient
from prometheus_client import REGISTRY, CollectorRegistry, Counter, generate_latest
from sqlalchemy.exc import OperationalError

from infra.local import gateway, workflow_metrics


def _sample(name: str, labels: dict[str, str]) -> float | None:
    return REGISTRY.get_sample_value(name, labels)


def test_a_method_nobody_routes_is_counted_as_other() -> None:
    labels = {"method": "other", "route": "unmatched", "status": "405"}
    before = _sample("http_requests_total", labels) or 0.0
    with TestClient(gateway.app) as http:
        for word in ("XYZ", "ABC"):
            assert http.request(word, "/api/v1/credit-requests").status_code == 405
    assert _sample("http_requests_total", labels) == before + 2
    for word in ("XYZ", "ABC"):
        assert _sample("http_requests_total", {**labels, "method": word}) is None


def test_a_scrape_answers_when_the_database_and_the_queues_cannot_be_read(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def database_down() -> Any:
        raise OperationalError("SELECT 1", {}, ConnectionRefusedError("connection refused"))

    def queues_down(_: str) -> int:
        raise EndpointConnectionError(endpoint_url="http://127.0.0.1:4566")

    monkeypatch.setattr(workflow_metrics, "unit_of_work", database_down)
    monkeypatch.setattr(workflow_metrics, "_depth", queues_down)
    # As /metrics serves them: the workflow gauges beside the process's own counters.
    registry = CollectorRegistry()
    registry.register(workflow_metrics.WorkflowCollector())
    Counter("http_requests_total", "HTTP requests answered", registry=registry).inc()
    text = generate_latest(registry).decode()
    assert "http_requests_total 1.0" in text
    assert 'workflow_metrics_errors{source="database"} 1.0' in text
    assert 'workflow_metrics_errors{source="queues"} 1.0' in text
    assert "credit_requests{" not in text and "dead_letter_messages{" not in text
