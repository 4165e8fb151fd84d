"""At-least-once delivery: redelivered messages have no second effect, bad messages fail
alone (partial batch failure) and end in the dead-letter queue, never corrupting state."""

import json
import uuid
from collections.abc import Callable
from typing import Any

from sqlalchemy import func, select

from infra.local.lambda_events import LambdaContext, sqs_event
from infra.local.runner import function_handler
from shared import aws
from shared.approvals.models import ApprovalLink, ApprovalStage
from shared.db import unit_of_work
from tests.conftest import Mailbox
from tests.support import Api, Person, delivered_message


def _invoke(function: str, bodies: list[str]) -> dict[str, Any]:
    messages = [
        {"MessageId": str(uuid.uuid4()), "ReceiptHandle": "r", "Body": body} for body in bodies
    ]
    arn = f"arn:aws:sqs:us-east-1:000000000000:{function}"
    return dict(function_handler(function)(sqs_event(messages, arn), LambdaContext(function)))


def _stage_and_link_counts(request_id: str) -> tuple[int, int]:
    with unit_of_work() as session:
        stages = session.scalar(
            select(func.count()).where(ApprovalStage.request_id == uuid.UUID(request_id))
        )
        link_count = session.scalar(
            select(func.count())
            .select_from(ApprovalLink)
            .join(ApprovalStage, ApprovalStage.id == ApprovalLink.stage_id)
            .where(ApprovalStage.request_id == uuid.UUID(request_id))
        )
    return int(stages or 0), int(link_count or 0)


def test_redelivered_messages_cause_no_duplicate_stage_or_email(
    api: Api, staff: dict[str, Person], drain: Callable[[], None], mailbox: Mailbox
) -> None:
    applicant = api.register()
    auth = api.login(applicant)
    request_id = api.submit(auth, amount="50000.00", term_months=120)["id"]
    drain()
    before = _stage_and_link_counts(request_id)
    assignee = api.staff_view(staff, request_id)["stages"][0]["assignee"]
    approver_email = next(p.email for p in staff.values() if p.username == assignee)
    emails_before = len(mailbox.to(applicant.email)), len(mailbox.to(approver_email))
    assert before == (2, 1)

    # SQS redelivers: the same event arrives again, through the real queues.
    sqs = aws.client("sqs")
    for queue, event_type in (
        ("route-to-approver", "request.pending_approval"),
        ("notify", "request.submitted"),
        ("notify", "stage.assigned"),
        ("score", "request.submitted"),
    ):
        sqs.send_message(
            QueueUrl=aws.queue_url(queue), MessageBody=delivered_message(event_type, request_id)
        )
    drain()

    assert _stage_and_link_counts(request_id) == before
    assert (len(mailbox.to(applicant.email)), len(mailbox.to(approver_email))) == emails_before
    assert api.request(auth, request_id)["status"] == "pending_approval"


def test_a_bad_message_fails_alone_and_the_rest_of_the_batch_is_processed(
    api: Api, drain: Callable[[], None]
) -> None:
    applicant = api.register()
    auth = api.login(applicant)
    request_id = api.submit(auth)["id"]
    good = delivered_message("request.submitted", request_id)
    bad_bodies = [
        "not json",
        json.dumps({"event_id": str(uuid.uuid4()), "event_type": "request.submitted"}),
        json.dumps(
            {
                "event_id": str(uuid.uuid4()),
                "event_type": "stage.assigned",
                "occurred_at": "2026-01-01T00:00:00Z",
                "correlation_id": "x",
                "payload": {"request_id": request_id},  # no stage or link: wrong shape
            }
        ),
        "x" * 70_000,
    ]
    response = _invoke("score", [bad_bodies[0], good, *bad_bodies[1:]])

    failed = response["batchItemFailures"]
    assert len(failed) == len(bad_bodies)
    assert api.request(auth, request_id)["status"] == "pending_approval"
    drain()  # the copy the real queue holds is now a duplicate
    assert api.request(auth, request_id)["status"] == "pending_approval"


def test_poison_message_moves_to_the_dead_letter_queue(api: Api) -> None:
    from infra.local.runner import poll_once
    from shared.messaging.topology import MAX_RECEIVE_COUNT, QUEUES

    sqs = aws.client("sqs")
    notify = next(q for q in QUEUES if q.name == "notify")
    url = aws.queue_url(notify.name)
    dlq_url = aws.queue_url(notify.dlq_name)
    marker = f"poison-{uuid.uuid4()}"
    sqs.send_message(QueueUrl=url, MessageBody=marker)
    # Make each failed attempt visible again at once instead of after the visibility timeout.
    for _ in range(MAX_RECEIVE_COUNT + 1):
        received = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1)
        for message in received.get("Messages", []):
            sqs.change_message_visibility(
                QueueUrl=url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0
            )
    poll_once(notify)
    dead = sqs.receive_message(QueueUrl=dlq_url, MaxNumberOfMessages=10, WaitTimeSeconds=2)
    assert marker in [m["Body"] for m in dead.get("Messages", [])]


def test_the_oldest_waiting_message_age_is_reported_per_queue(database: str) -> None:
    """What the QueueMessageTooOld alert reads: the age of the oldest message of the
    runner's latest receive, back to 0 once the queue is empty."""
    import time

    from prometheus_client import REGISTRY

    from infra.local.runner import poll_once
    from shared.clock import utcnow
    from shared.messaging.topology import QUEUES

    score = next(q for q in QUEUES if q.name == "score")
    while poll_once(score):
        pass
    # A valid event about a request that does not exist: consumed with no effect.
    body = {
        "event_id": str(uuid.uuid4()),
        "event_type": "request.submitted",
        "occurred_at": utcnow().isoformat(),
        "correlation_id": str(uuid.uuid4()),
        "payload": {"request_id": str(uuid.uuid4())},
    }
    aws.client("sqs").send_message(QueueUrl=aws.queue_url(score.name), MessageBody=json.dumps(body))
    time.sleep(1.5)  # the message waits before anyone receives it

    def oldest() -> float | None:
        return REGISTRY.get_sample_value("queue_oldest_message_age_seconds", {"queue": score.name})

    assert poll_once(score, wait_seconds=2) == 1
    assert (oldest() or 0) >= 1.5
    assert poll_once(score) == 0
    assert oldest() == 0
