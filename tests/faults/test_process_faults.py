"""Faults in the processes and services under steady traffic (5 submissions/s plus every
approver deciding): a runner killed mid-batch, LocalStack gone for a minute, PostgreSQL
restarted, Redis gone for 30 s. Each scenario ends with the invariants of
tests/faults/invariants.py, and users never see a 500."""

import logging
import os
import signal
import time

import httpx

from shared.messaging.topology import QUEUES
from tests.conftest import wait_until
from tests.faults.invariants import check
from tests.faults.prepare import STAFF_PASSWORD
from tests.faults.stack import FaultStack
from tests.faults.traffic import Traffic
from tests.support import alive

logger = logging.getLogger(__name__)
NOTIFY = next(q for q in QUEUES if q.name == "notify")
# A cut between an email's send and its transaction's commit sends it again on redelivery
# (README, "Guarantees"). Each notify poller is inside at most one message at a time, and a
# message emails at most a few people: the most a single cut can duplicate.
SEND_THEN_COMMIT_WINDOW = NOTIFY.maximum_concurrency * 3


def _report(name: str, traffic: Traffic, findings_summary: str) -> None:
    counts = traffic.answers.counts()
    logger.warning("%s: answers %s; %s", name, dict(counts), findings_summary)


def _signs_in(stack: FaultStack, username: str) -> bool:
    response = httpx.post(
        f"{stack.url}/api/v1/token",
        data={"username": username, "password": STAFF_PASSWORD},
        timeout=15,
    )
    return response.status_code == 200


def test_a_runner_killed_mid_batch_loses_and_repeats_nothing(
    fault_stack: FaultStack, applicants: list[tuple[str, str]], approvers: list[str]
) -> None:
    with Traffic(fault_stack.url, applicants, approvers) as traffic:
        time.sleep(8)  # the runner is busy with every queue
        runners = fault_stack.pids("runner")
        os.kill(runners[-1], signal.SIGKILL)
        killed_at = time.monotonic()
        wait_until(lambda: len(fault_stack.pids("runner")) > len(runners), timeout=30)
        back_after = time.monotonic() - killed_at
        time.sleep(8)

    assert not alive(runners[-1])
    findings = check(
        fault_stack, traffic.accepted, duplicate_emails_allowed=SEND_THEN_COMMIT_WINDOW
    )
    _report(f"runner SIGKILL (restarted after {back_after:.1f}s)", traffic, findings.summary())
    assert findings.problems == []
    assert traffic.answers.server_errors() == []
    assert len(traffic.accepted) >= 50


def test_localstack_gone_for_a_minute_delays_but_loses_nothing(
    fault_stack: FaultStack, applicants: list[tuple[str, str]], approvers: list[str]
) -> None:
    with Traffic(fault_stack.url, applicants, approvers) as traffic:
        time.sleep(5)
        fault_stack.localstack.crash()
        stopped_at = time.monotonic()
        accepted_before = len(traffic.accepted)
        time.sleep(60)
        accepted_during = len(traffic.accepted) - accepted_before
        fault_stack.localstack.start()  # its init hook provisions every resource again
        fault_stack.shorten_visibility()
        logger.warning("LocalStack back after %.1fs", time.monotonic() - stopped_at)
        time.sleep(10)

    # The backlog (a minute of submissions, and what the old queues lost) waits for the
    # relay's next run, then for the steps: minutes on a loaded machine. An email whose SES
    # call the crash cut after the send but before its answer is sent again on redelivery.
    findings = check(
        fault_stack,
        traffic.accepted,
        duplicate_emails_allowed=SEND_THEN_COMMIT_WINDOW,
        settle_timeout=420,
    )
    _report("LocalStack stopped 60 s", traffic, findings.summary())
    assert findings.problems == []
    assert traffic.answers.server_errors() == []
    # Requests were still accepted while SQS was away: their events waited in the outbox.
    assert accepted_during >= 100


def test_postgres_restart_answers_503_with_retry_after_and_recovers(
    fault_stack: FaultStack, applicants: list[tuple[str, str]], approvers: list[str]
) -> None:
    with Traffic(fault_stack.url, applicants, approvers) as traffic:
        time.sleep(5)
        down_at = time.monotonic()
        fault_stack.postgres.stop()
        time.sleep(10)
        fault_stack.postgres.start()
        up_at = time.monotonic()
        time.sleep(15)

    unavailable = traffic.answers.unavailable(since=down_at)
    assert unavailable, "no call was answered while PostgreSQL was down"
    assert all(a.retry_after for a in unavailable)
    recovered_after = traffic.answers.first("submit", 202, since=up_at)
    assert recovered_after is not None, "submissions did not recover by themselves"
    findings = check(
        fault_stack, traffic.accepted, duplicate_emails_allowed=SEND_THEN_COMMIT_WINDOW
    )
    _report(
        f"PostgreSQL down 10 s ({len(unavailable)} answers 503; first submission accepted "
        f"{recovered_after:.1f}s after its start)",
        traffic,
        findings.summary(),
    )
    assert findings.problems == []
    assert traffic.answers.server_errors() == []


def test_redis_gone_for_30_seconds_degrades_safely(
    fault_stack: FaultStack, applicants: list[tuple[str, str]], approvers: list[str]
) -> None:
    with Traffic(fault_stack.url, applicants, approvers) as traffic:
        time.sleep(5)
        down_at = time.monotonic()
        fault_stack.redis.stop()
        time.sleep(15)
        staff_sign_in = httpx.post(
            f"{fault_stack.url}/api/v1/token",
            data={"username": approvers[0], "password": STAFF_PASSWORD},
            timeout=15,
        )
        time.sleep(15)
        fault_stack.redis.start()
        up_at = time.monotonic()
        wait_until(lambda: _signs_in(fault_stack, approvers[0]), timeout=30)
        signed_in_after = time.monotonic() - up_at
        time.sleep(10)

    during = traffic.answers.counts(since=down_at)
    # Signed-in people go on: submissions and decisions work from PostgreSQL alone...
    assert during[("submit", 202)] > 0 and during[("inbox", 200)] > 0
    # ...and a sign-in is refused with 503 + Retry-After rather than run unthrottled.
    assert staff_sign_in.status_code == 503, staff_sign_in.text
    assert staff_sign_in.json()["error"]["code"] == "sign_in_unavailable"
    assert staff_sign_in.headers["Retry-After"]
    sign_ins = [a for a in traffic.answers.unavailable(since=down_at) if a.at < up_at]
    assert all(a.what == "sign-in" and a.retry_after for a in sign_ins)
    findings = check(fault_stack, traffic.accepted)
    _report(
        f"Redis down 30 s (sign-in back {signed_in_after:.1f}s after its start)",
        traffic,
        findings.summary(),
    )
    assert findings.problems == []
    assert traffic.answers.server_errors() == []
