"""What an operator relies on: one correlation id follows a request through the gateway,
every queue and every function; logs hold no personal or financial data; /metrics adds up
the gateway's and the runner's processes."""

import json
import uuid
from pathlib import Path
from typing import Any

import httpx

from tests.conftest import Mailbox, wait_until
from tests.support import Api, Person, link_token


def _log_lines(logs: Path) -> list[dict[str, Any]]:
    lines = []
    for path in logs.glob("*.log"):
        for raw in path.read_text(errors="replace").splitlines():
            if raw.startswith("{"):
                lines.append(json.loads(raw))
    return lines


def test_one_id_finds_the_whole_journey_and_logs_carry_no_personal_data(
    api: Api, base_url: str, logs: Path, staff: dict[str, Person], mailbox: Mailbox
) -> None:
    applicant = api.register("traced")
    auth = api.login(applicant)
    correlation_id = f"journey-{uuid.uuid4()}"
    response = api.http.post(
        "/api/v1/credit-requests",
        json={
            "amount": "4321.00",
            "term_months": 24,
            "purpose": "Traced request",
            "monthly_income": "98765.43",
            "monthly_debt": "123.45",
            "employment_status": "employed",
            "credit_score": 777,
            "delinquencies_24m": 0,
            "bankruptcies_7y": 0,
        },
        headers={**auth, "X-Correlation-Id": correlation_id},
    )
    assert response.status_code == 202
    assert response.headers["x-correlation-id"] == correlation_id
    request_id = response.json()["id"]

    def assigned_email() -> dict[str, Any] | None:
        for person in staff.values():
            for message in mailbox.to(person.email):
                if request_id[:8] in message["Subject"]:
                    return message
        return None

    email = wait_until(assigned_email, timeout=45)
    token = link_token(email)
    decided = api.http.post(f"/api/v1/approval-links/{token}", json={"decision": "approve"})
    assert decided.status_code == 200
    wait_until(lambda: any("approved" in m["Subject"] for m in mailbox.to(applicant.email)))

    lines = _log_lines(logs)
    journey = [line for line in lines if line.get("correlation_id") == correlation_id]
    functions = {line.get("function") for line in journey}
    assert {"submit", "score", "route_to_approver", "notify"} <= functions
    by_request = [line for line in lines if line.get("credit_request_id") == request_id]
    assert {"submit", "score", "route_to_approver", "notify", "decide"} <= {
        line.get("function") for line in by_request
    }

    everything = "\n".join(p.read_text(errors="replace") for p in logs.glob("*.log"))
    for secret in (
        applicant.email,
        applicant.password,
        auth["Authorization"].removeprefix("Bearer "),
        token,
        "98765.43",
        "123.45",
        '"credit_score"',
        '"monthly_income"',
    ):
        assert secret not in everything


def test_metrics_add_up_the_gateway_and_runner_processes(api: Api, base_url: str) -> None:
    auth = api.login(api.register("counted"))
    request_id = api.submit(auth, credit_score=500)["id"]
    wait_until(lambda: api.request(auth, request_id)["status"] == "auto_rejected")

    text = httpx.get(f"{base_url}/metrics", timeout=10).text
    assert 'function_invocations_total{function="submit"}' in text  # gateway process
    assert 'function_invocations_total{function="score"}' in text  # runner process
    assert 'credit_decisions_total{level="0",outcome="auto_rejected"}' in text
    assert "credit_requests_submitted_total" in text
    assert 'queue_message_age_seconds_count{queue="score"}' in text
    assert 'queue_oldest_message_age_seconds{queue="score"}' in text  # runner's gauge
    assert 'cache_misses_total{cache="policy"}' in text  # scoring read the policy
    assert "process_resident_memory_bytes" in text  # for the memory alert
    assert "process_cpu_seconds_total" in text
