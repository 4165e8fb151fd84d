"""API10 (unsafe consumption of APIs): whatever arrives on a queue, or from the credit
bureau, is validated before it is used. A malformed, oversized or hostile message fails on
its own (a partial batch failure), never crashes the consumer or changes state, and after
its retries lands in the dead-letter queue; a bureau answer that is not a valid report stops
the scoring of that request (it is retried) instead of scoring on bad data.

tests/integration/test_delivery.py covers duplicates and a mixed batch on the score step;
this adds every consumer, hostile shapes, the full retry-to-DLQ path through the real
handler, and the bureau."""

import json
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import func, select

from infra.local.lambda_events import LambdaContext, sqs_event
from infra.local.runner import function_handler
from shared import aws
from shared.approvals.models import ApprovalLink, ApprovalStage
from shared.audit.models import AuditLog
from shared.credit import service as credit_service
from shared.credit.bureau import BureauReport
from shared.credit.models import CreditRequest
from shared.db import unit_of_work
from shared.messaging.models import OutboxEvent, ProcessedMessage
from shared.messaging.topology import MAX_RECEIVE_COUNT, QUEUES
from tests.support import Api, delivered_message

CONSUMERS = sorted({q.function for q in QUEUES})


def _envelope(event_type: str, payload: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    return {
        "event_id": str(uuid.uuid4()),
        "event_type": event_type,
        "occurred_at": datetime.now(UTC).isoformat(),
        "correlation_id": "security-test",
        "payload": payload,
        **overrides,
    }


def _hostile_bodies(request_id: str) -> dict[str, str]:
    good = _envelope("request.submitted", {"request_id": request_id})
    return {
        "empty": "",
        "not json": "{not json",
        "a json array": json.dumps([good]),
        "a json string": json.dumps("request.submitted"),
        "null": "null",
        "event id not a uuid": json.dumps({**good, "event_id": "1; DROP TABLE users"}),
        "unknown event type": json.dumps({**good, "event_type": "request.delete_everything"}),
        "extra top-level field": json.dumps({**good, "admin": True}),
        "extra payload field": json.dumps(
            {**good, "payload": {"request_id": request_id, "status": "approved"}}
        ),
        "payload missing": json.dumps({k: v for k, v in good.items() if k != "payload"}),
        "request id not a uuid": json.dumps({**good, "payload": {"request_id": "' OR 1=1 --"}}),
        "stage event without its stage": json.dumps(
            {**good, "event_type": "stage.assigned", "payload": {"request_id": request_id}}
        ),
        "correlation id too long": json.dumps({**good, "correlation_id": "c" * 129}),
        "occurred_at not a time": json.dumps({**good, "occurred_at": "yesterday"}),
        "an SNS envelope (raw delivery off)": json.dumps(
            {"Type": "Notification", "MessageId": "m", "Message": json.dumps(good)}
        ),
        "oversized": json.dumps({**good, "correlation_id": "x", "pad": "x" * 70_000}),
        "deeply nested": "[" * 100_000 + "]" * 100_000,
        "invalid utf-8 escape": '{"event_id": "\\ud800"}',
    }


def _fingerprint() -> dict[str, Any]:
    """Every table a consumer could touch, counted (and requests by status)."""
    with unit_of_work() as session:
        counts: dict[str, Any] = {
            model.__tablename__: session.scalar(select(func.count()).select_from(model))
            for model in (
                ApprovalStage,
                ApprovalLink,
                ProcessedMessage,
                AuditLog,
                OutboxEvent,
                CreditRequest,
            )
        }
        counts["statuses"] = dict(
            session.execute(
                select(CreditRequest.status, func.count()).group_by(CreditRequest.status)
            ).all()
        )
    return counts


def _invoke(function: str, bodies: list[str]) -> tuple[dict[str, Any], list[str]]:
    messages = [
        {"MessageId": str(uuid.uuid4()), "ReceiptHandle": "r", "Body": body} for body in bodies
    ]
    arn = f"arn:aws:sqs:us-east-1:000000000000:{function}"
    response = function_handler(function)(sqs_event(messages, arn), LambdaContext(function))
    return dict(response), [m["MessageId"] for m in messages]


def _harmless(function: str) -> str:
    """A valid message about ids that do not exist: handled, with no effect but its claim."""
    ghost = {"request_id": str(uuid.uuid4()), "stage_id": str(uuid.uuid4())}
    if function == "deliver_webhook":  # for a user who does not exist: nowhere to post it
        delivery = {"user_id": str(uuid.uuid4()), "channel": "webhook", "body": {"type": "x"}}
        return json.dumps(_envelope("delivery.requested", delivery))
    event_type = {"score": "request.submitted", "route_to_approver": "stage.approved"}.get(
        function, "stage.reminder"
    )
    payload = ghost if event_type.startswith("stage.") else {"request_id": ghost["request_id"]}
    return json.dumps(_envelope(event_type, payload))


def _without_claims(fingerprint: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in fingerprint.items() if k != "processed_messages"}


def _failed(function: str, bodies: list[str]) -> tuple[set[str], list[str]]:
    """Which messages the function reported as failed (a batch in which every message failed
    is reported item by item too, not raised)."""
    response, ids = _invoke(function, bodies)
    return {f["itemIdentifier"] for f in response["batchItemFailures"]}, ids


@pytest.mark.parametrize("function", CONSUMERS)
def test_hostile_messages_fail_alone_and_change_nothing(
    api: Api, drain: Callable[[], None], function: str
) -> None:
    request_id = api.submit(api.login(api.register()))["id"]
    drain()
    hostile = _hostile_bodies(request_id)
    before = _fingerprint()
    # One valid message rides along: the batch reports per message (see the DLQ test for a
    # batch in which every message fails).
    response, ids = _invoke(function, [*hostile.values(), _harmless(function)])
    failed = {f["itemIdentifier"] for f in response["batchItemFailures"]}
    for (name, _), message_id in zip(hostile.items(), ids, strict=False):
        assert message_id in failed, f"{function} accepted: {name}"
    assert ids[-1] not in failed
    after = _fingerprint()
    assert after["processed_messages"] == before["processed_messages"] + 1  # the valid one
    assert _without_claims(after) == _without_claims(before)


@pytest.mark.parametrize("function", CONSUMERS)
def test_a_well_formed_message_about_nothing_is_handled_harmlessly(function: str) -> None:
    """Valid shape, unknown ids: consumed (no retry loop), nothing but its claim is written."""
    before = _fingerprint()
    response, _ = _invoke(function, [_harmless(function)])
    assert response["batchItemFailures"] == []
    after = _fingerprint()
    assert after["processed_messages"] == before["processed_messages"] + 1
    assert _without_claims(after) == _without_claims(before)


def test_a_poison_message_is_retried_by_the_real_handler_then_dead_lettered(
    api: Api, drain: Callable[[], None]
) -> None:
    """Through the real queue and the real score handler: the poison message comes back
    MAX_RECEIVE_COUNT times, each time reported as failed (never an exception), then SQS
    moves it to the dead-letter queue; the good message beside it is handled once."""
    drain()
    request_id = api.submit(api.login(api.register()))["id"]
    drain()
    sqs = aws.client("sqs")
    queue = next(q for q in QUEUES if q.name == "score")
    url, dlq_url = aws.queue_url(queue.name), aws.queue_url(queue.dlq_name)
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    marker = json.dumps(
        _envelope("request.submitted", {"request_id": "poison-" + uuid.uuid4().hex})
    )
    good = json.dumps(_envelope("request.submitted", {"request_id": request_id}))
    sqs.send_message(QueueUrl=url, MessageBody=marker)
    sqs.send_message(QueueUrl=url, MessageBody=good)
    before = _fingerprint()

    attempts, handled_good = 0, 0
    for _ in range(MAX_RECEIVE_COUNT * 3):
        # VisibilityTimeout=0: a failed message is visible again at once (not after 3 min).
        messages = sqs.receive_message(
            QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1, VisibilityTimeout=0
        ).get("Messages", [])
        if not messages:
            break
        response = function_handler("score")(sqs_event(messages, arn), LambdaContext("score"))
        failed = {f["itemIdentifier"] for f in response["batchItemFailures"]}
        for message in messages:
            if message["Body"] == marker:
                attempts += 1
                assert message["MessageId"] in failed
            else:
                handled_good += 1
                assert message["MessageId"] not in failed
                sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    dead = sqs.receive_message(QueueUrl=dlq_url, MaxNumberOfMessages=10, WaitTimeSeconds=2)
    assert marker in [m["Body"] for m in dead.get("Messages", [])]
    assert attempts == MAX_RECEIVE_COUNT
    assert handled_good == 1
    after = _fingerprint()
    assert after["processed_messages"] == before["processed_messages"] + 1  # the good one only
    assert after["credit_requests"] == before["credit_requests"]


# --- the credit bureau ------------------------------------------------------------------------


class RawAnswerBureau:
    """A bureau adapter as a real one is written: it parses the outside answer into a
    `BureauReport`, so whatever the bureau sends is validated before scoring sees it."""

    def __init__(self, answer: Any) -> None:
        self.answer = answer

    def fetch_report(self, request: CreditRequest) -> BureauReport:
        return BureauReport.model_validate(self.answer)


BAD_BUREAU_ANSWERS: dict[str, Any] = {
    "score out of range": {"credit_score": 900, "delinquencies_24m": 0, "bankruptcies_7y": 0},
    "negative count": {"credit_score": 700, "delinquencies_24m": -1, "bankruptcies_7y": 0},
    "extra verdict field": {
        "credit_score": 700,
        "delinquencies_24m": 0,
        "bankruptcies_7y": 0,
        "approved": True,
    },
    "missing field": {"credit_score": 700, "delinquencies_24m": 0},
    "wrong type": {"credit_score": "excellent", "delinquencies_24m": 0, "bankruptcies_7y": 0},
    "not an object": ["credit_score", 700],
    "nothing": None,
}


def test_an_invalid_bureau_answer_stops_scoring_and_the_retry_scores_on_good_data(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    auth = api.login(api.register())
    request_id = api.submit(auth)["id"]
    body = delivered_message("request.submitted", request_id)
    for name, answer in BAD_BUREAU_ANSWERS.items():
        monkeypatch.setattr(credit_service, "get_bureau", lambda a=answer: RawAnswerBureau(a))
        failed, ids = _failed("score", [body])
        assert failed == set(ids), name  # the message failed: it will be retried
        assert api.request(auth, request_id)["status"] == "submitted", name
    with unit_of_work() as session:
        assert not session.scalars(
            select(AuditLog).where(
                AuditLog.action == "credit_request.scored", AuditLog.entity_id == request_id
            )
        ).all()

    good = {"credit_score": 760, "delinquencies_24m": 0, "bankruptcies_7y": 0}
    monkeypatch.setattr(credit_service, "get_bureau", lambda: RawAnswerBureau(good))
    response, _ = _invoke("score", [body])
    assert response["batchItemFailures"] == []
    assert api.request(auth, request_id)["status"] == "pending_approval"
