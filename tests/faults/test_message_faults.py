"""Faults in delivery under steady traffic: every message delivered twice and out of order,
poison messages, and 50 people pressing decide and withdraw on one request at once. Each
scenario ends with the invariants of tests/faults/invariants.py."""

import logging
import threading
import time
import uuid
from typing import Any

import httpx

from shared.messaging.topology import MAX_RECEIVE_COUNT, QUEUES
from tests.conftest import wait_until
from tests.faults.chaos import Duplicator
from tests.faults.invariants import check
from tests.faults.prepare import STAFF_PASSWORD
from tests.faults.stack import FAULT_VISIBILITY_SECONDS, FaultStack
from tests.faults.traffic import APPLICANT_PASSWORD, Traffic
from tests.support import GOOD_APPLICATION, LINK

logger = logging.getLogger(__name__)
WORKFLOW_QUEUES = [q for q in QUEUES if q.name != "webhook-deliveries"]


def test_every_message_delivered_twice_and_out_of_order_changes_nothing_twice(
    fault_stack: FaultStack, applicants: list[tuple[str, str]], approvers: list[str]
) -> None:
    with (
        Traffic(fault_stack.url, applicants, approvers) as traffic,
        Duplicator(fault_stack) as duplicator,
    ):
        time.sleep(25)

    assert duplicator.copies >= 100
    findings = check(fault_stack, traffic.accepted)
    logger.warning("duplicates: %d copies; %s", duplicator.copies, findings.summary())
    assert findings.problems == []
    assert traffic.answers.server_errors() == []


def _visibility(stack: FaultStack, seconds: int) -> None:
    sqs = stack.localstack.client("sqs")
    for queue in WORKFLOW_QUEUES:
        sqs.set_queue_attributes(
            QueueUrl=stack.queue_url(queue.name), Attributes={"VisibilityTimeout": str(seconds)}
        )


def _dead_letters(stack: FaultStack, queue: str) -> list[str]:
    sqs = stack.localstack.client("sqs")
    url = stack.queue_url(f"{queue}-dlq")
    bodies = []
    while messages := sqs.receive_message(
        QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1, VisibilityTimeout=30
    ).get("Messages", []):
        bodies += [m["Body"] for m in messages]
    return bodies


def test_poison_messages_reach_the_dead_letter_queue_and_never_block_a_queue(
    fault_stack: FaultStack, applicants: list[tuple[str, str]], approvers: list[str]
) -> None:
    sqs = fault_stack.localstack.client("sqs")
    poison = {
        queue.name: [f"poison-{uuid.uuid4()}", '{"event_type": "request.submitted"}']
        for queue in WORKFLOW_QUEUES
    }
    # Each failed receive comes back after the visibility timeout: 2 s here, so the fifth
    # (MAX_RECEIVE_COUNT) comes within the scenario rather than after 5 x 180 s.
    _visibility(fault_stack, 2)
    try:
        with Traffic(fault_stack.url, applicants, approvers) as traffic:
            for queue, bodies in poison.items():
                for body in bodies:
                    sqs.send_message(QueueUrl=fault_stack.queue_url(queue), MessageBody=body)
            time.sleep(30)
        findings = check(fault_stack, traffic.accepted)
    finally:
        _visibility(fault_stack, FAULT_VISIBILITY_SECONDS)

    for queue, bodies in poison.items():
        # Exactly the poison: no real event was dead-lettered beside it.
        assert sorted(_dead_letters(fault_stack, queue)) == sorted(bodies), queue
    logger.warning("poison (%d per queue): %s", MAX_RECEIVE_COUNT, findings.summary())
    assert findings.problems == []
    assert traffic.answers.server_errors() == []


def _sign_in(http: httpx.Client, username: str, password: str) -> dict[str, str]:
    response = http.post("/api/v1/token", data={"username": username, "password": password})
    response.raise_for_status()
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def _race(calls: list[Any]) -> list[int]:
    """Run every call at the same moment, each on its own thread; their status codes."""
    barrier = threading.Barrier(len(calls))
    statuses: list[int] = [0] * len(calls)

    def run(index: int) -> None:
        barrier.wait()
        statuses[index] = calls[index]().status_code

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return statuses


def test_fifty_concurrent_decisions_and_withdrawals_on_one_request_have_one_outcome(
    fault_stack: FaultStack, applicants: list[tuple[str, str]]
) -> None:
    limits = httpx.Limits(max_connections=60)
    with httpx.Client(base_url=fault_stack.url, timeout=60, limits=limits) as http:
        applicant = _sign_in(http, applicants[0][0], APPLICANT_PASSWORD)
        admin = _sign_in(http, "admin1", STAFF_PASSWORD)
        body = {**GOOD_APPLICATION, "amount": "150000.00", "monthly_income": "25000.00"}
        submitted = http.post("/api/v1/credit-requests", json=body, headers=applicant)
        assert submitted.status_code == 202, submitted.text
        request_id = submitted.json()["id"]

        def first_stage() -> dict[str, Any] | None:
            seen = http.get(f"/api/v1/credit-requests/{request_id}", headers=admin).json()
            assert seen["status"] in ("submitted", "pending_approval"), seen["status"]
            # The chain comes with the scoring; the route step then assigns its first stage.
            assigned = [s for s in seen["stages"] if s["status"] == "pending" and s["assignee"]]
            return assigned[0] if assigned else None

        stage = wait_until(first_stage, timeout=60)
        approver = _sign_in(http, stage["assignee"], STAFF_PASSWORD)
        email = wait_until(
            lambda: [
                m
                for m in fault_stack.localstack.sent_emails()
                if request_id[:8] in m["Subject"]
                and f"{stage['assignee']}@example.com" in m["Destination"]["ToAddresses"]
            ],
            timeout=60,
        )[0]
        link = LINK.search(email["Body"]["text_part"])
        assert link is not None
        decision = {"decision": "approve", "comment": "Verified."}
        calls: list[Any] = []
        for _ in range(20):
            calls.append(
                lambda: http.post(
                    f"/api/v1/credit-requests/{request_id}/decision",
                    json=decision,
                    headers=approver,
                )
            )
        for _ in range(10):
            calls.append(lambda: http.post(f"/api/v1/approval-links/{link[1]}", json=decision))
        for _ in range(20):
            calls.append(
                lambda: http.post(
                    f"/api/v1/credit-requests/{request_id}/withdraw", headers=applicant
                )
            )
        statuses = _race(calls)

    decisions, withdrawals = statuses[:30], statuses[30:]
    # Losers are told why (403 once the stage moved to someone else, 409 decided or
    # withdrawn, 410 a used link); nobody sees a 500.
    assert set(statuses) <= {200, 403, 409, 410}, statuses
    assert decisions.count(200) <= 1 and withdrawals.count(200) <= 1, statuses
    assert statuses.count(200) >= 1
    findings = check(fault_stack, [request_id])
    logger.warning("50 at once: %s; %s", sorted(statuses), findings.summary())
    assert findings.problems == []
