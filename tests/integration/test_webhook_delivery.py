"""The webhook channel end to end: a user saves a webhook URL through the API, a real workflow
event goes through the outbox, SNS and the real `webhook-deliveries` queue (LocalStack) to
the deliver_webhook function, which posts it, signed, to a receiver on this machine. The
receiver verifies the signature as a receiver would (the Standard Webhooks library).
Failures are SQS redeliveries with backoff, then the dead-letter queue; a duplicate SQS
message posts nothing twice. Chat deliveries ride the same queue."""

import json
import socket
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import select
from standardwebhooks.webhooks import Webhook

from shared import aws
from shared.audit.models import AuditLog
from shared.config import get_settings
from shared.db import unit_of_work
from shared.messaging.models import OutboxEvent
from shared.messaging.outbox import envelope_of
from shared.messaging.topology import WEBHOOK_MAX_RECEIVE_COUNT
from shared.notifications import urls
from tests.support import Api, Person
from tests.webhook_receiver import webhook_receiver

QUEUE = "webhook-deliveries"


def _save(api: Api, auth: dict[str, str], channel: str, **settings: Any) -> dict[str, Any]:
    response = api.http.put(
        "/api/v1/users/me/notifications",
        json={"channels": [{"channel": channel, "enabled": True, "settings": settings}]},
        headers=auth,
    )
    assert response.status_code == 200, response.text
    return next(c for c in response.json()["channels"] if c["channel"] == channel)


def _turn_off(api: Api, auth: dict[str, str], channel: str) -> None:
    response = api.http.put(
        "/api/v1/users/me/notifications",
        json={"channels": [{"channel": channel, "enabled": False}]},
        headers=auth,
    )
    assert response.status_code == 200, response.text


def _deliveries(user_id: uuid.UUID) -> list[OutboxEvent]:
    with unit_of_work() as session:
        return list(
            session.scalars(
                select(OutboxEvent)
                .where(
                    OutboxEvent.event_type == "delivery.requested",
                    OutboxEvent.payload["user_id"].astext == str(user_id),
                )
                .order_by(OutboxEvent.created_at)
            )
        )


def _queue_counts(name: str) -> tuple[int, int]:
    attributes = aws.client("sqs").get_queue_attributes(
        QueueUrl=aws.queue_url(name),
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    )["Attributes"]
    return (
        int(attributes["ApproximateNumberOfMessages"]),
        int(attributes["ApproximateNumberOfMessagesNotVisible"]),
    )


@pytest.fixture
def applicant(api: Api, drain: Callable[[], None]) -> Iterator[tuple[Person, dict[str, str]]]:
    person = api.register("hooked")
    auth = api.login(person)
    drain()  # the welcome goes out before any channel is set: these tests follow requests
    yield person, auth
    _turn_off(api, auth, "webhook")
    _turn_off(api, auth, "chat")


def test_a_workflow_event_arrives_signed_at_the_receiver(
    api: Api, drain: Callable[[], None], applicant: tuple[Person, dict[str, str]]
) -> None:
    person, auth = applicant
    with webhook_receiver(204) as receiver:
        saved = _save(api, auth, "webhook", url=receiver.url)
        secret = saved["shown_once"]["signing_secret"]
        assert saved["settings"] == {"url": receiver.url, "signing_secret_set": True}
        request_id = api.submit(auth)["id"]
        drain()

    [delivery] = receiver.received
    assert delivery.path == "/hooks/credit"
    assert delivery.headers["content-type"] == "application/json"
    payload = Webhook(secret).verify(delivery.body, delivery.headers)
    assert payload["type"] == "request.submitted"
    assert payload["data"] == {
        "request_id": request_id,
        "url": f"http://app.test/requests/{request_id}",
    }
    [row] = _deliveries(person.id)
    assert delivery.headers["webhook-id"] == f"msg_{row.id.hex}"
    # The email went too: channels add up, email stays on unless turned off.
    with unit_of_work() as session:
        actions = set(
            session.scalars(select(AuditLog.action).where(AuditLog.entity_id == request_id))
        )
    assert {"webhook.queued", "webhook.delivered", "email.sent"} <= actions
    # The secret is never shown again.
    again = api.http.get("/api/v1/users/me/notifications", headers=auth).json()
    assert secret not in json.dumps(again)


def test_a_duplicate_sqs_message_is_not_delivered_twice(
    api: Api, drain: Callable[[], None], applicant: tuple[Person, dict[str, str]]
) -> None:
    person, auth = applicant
    with webhook_receiver(200) as receiver:
        _save(api, auth, "webhook", url=receiver.url)
        api.submit(auth)
        drain()
        assert len(receiver.received) == 1
        [row] = _deliveries(person.id)
        duplicate = envelope_of(row).model_dump_json()
        for _ in range(2):
            aws.client("sqs").send_message(QueueUrl=aws.queue_url(QUEUE), MessageBody=duplicate)
        drain()
        assert len(receiver.received) == 1
    assert _queue_counts(QUEUE) == (0, 0)


def test_a_failing_receiver_is_retried_with_backoff_then_dead_lettered(
    api: Api,
    drain: Callable[[], None],
    applicant: tuple[Person, dict[str, str]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    person, auth = applicant
    # No wait between attempts, so every retry happens within this test's drain.
    monkeypatch.setattr(get_settings(), "webhook_retry_base_seconds", 0)
    with webhook_receiver(500) as receiver:
        _save(api, auth, "webhook", url=receiver.url)
        api.submit(auth)
        drain()
        ids = {r.headers["webhook-id"] for r in receiver.received}
    assert len(receiver.received) == WEBHOOK_MAX_RECEIVE_COUNT
    assert len(ids) == 1  # the same webhook-id on every attempt: the receiver's dedup key
    [row] = _deliveries(person.id)

    sqs = aws.client("sqs")
    dlq = aws.queue_url(f"{QUEUE}-dlq")
    dead = sqs.receive_message(QueueUrl=dlq, MaxNumberOfMessages=10, WaitTimeSeconds=2)
    ours = [m for m in dead.get("Messages", []) if str(row.id) in m["Body"]]
    assert len(ours) == 1
    sqs.delete_message(QueueUrl=dlq, ReceiptHandle=ours[0]["ReceiptHandle"])
    with unit_of_work() as session:
        delivered = session.scalar(
            select(AuditLog.id).where(
                AuditLog.action == "webhook.delivered",
                AuditLog.entity_id == str(row.payload["request_id"]),
            )
        )
    assert delivered is None


def test_a_host_the_resolver_could_not_find_for_a_moment_is_retried(
    api: Api,
    drain: Callable[[], None],
    applicant: tuple[Person, dict[str, str]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A resolver that fails once (a DNS outage) is the network's failure, not a forbidden
    address: the delivery is retried with backoff, and arrives."""
    _, auth = applicant
    monkeypatch.setattr(get_settings(), "webhook_retry_base_seconds", 0)
    real, failed = socket.getaddrinfo, list[str]()

    def flaky(host: str, *args: Any, **kwargs: Any) -> Any:
        if host == "localhost" and not failed:
            failed.append(host)
            raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")
        return real("127.0.0.1" if host == "localhost" else host, *args, **kwargs)

    with webhook_receiver(204) as receiver:
        _save(api, auth, "webhook", url=receiver.url.replace("127.0.0.1", "localhost"))
        monkeypatch.setattr(urls.socket, "getaddrinfo", flaky)
        api.submit(auth)
        drain()
    assert failed == ["localhost"]
    assert len(receiver.received) == 1


def test_a_failed_delivery_waits_for_its_backoff_before_the_next_attempt(
    api: Api, drain: Callable[[], None], applicant: tuple[Person, dict[str, str]]
) -> None:
    """With the default base (30 s), a failure hides the message from the queue: the drain
    ends after one attempt instead of retrying at once."""
    _, auth = applicant
    assert get_settings().webhook_retry_base_seconds >= 30
    hidden_before = _queue_counts(QUEUE)[1]
    with webhook_receiver(503) as receiver:
        _save(api, auth, "webhook", url=receiver.url)
        api.submit(auth)
        drain()
    assert len(receiver.received) == 1
    assert _queue_counts(QUEUE)[1] == hidden_before + 1
    # Turned off meanwhile (the fixture does), the delivery is dropped when it comes back.


def test_a_receiver_that_answers_gone_turns_the_channel_off(
    api: Api, drain: Callable[[], None], applicant: tuple[Person, dict[str, str]]
) -> None:
    _, auth = applicant
    with webhook_receiver(410) as receiver:
        _save(api, auth, "webhook", url=receiver.url)
        request_id = api.submit(auth)["id"]
        drain()
        assert len(receiver.received) == 1
        api.http.post(f"/api/v1/credit-requests/{request_id}/withdraw", headers=auth)
        drain()
        assert len(receiver.received) == 1  # nothing more was sent
    channels = api.http.get("/api/v1/users/me/notifications", headers=auth).json()["channels"]
    assert next(c for c in channels if c["channel"] == "webhook")["enabled"] is False
    with unit_of_work() as session:
        audited = session.scalar(
            select(AuditLog).where(
                AuditLog.action == "webhook.disabled", AuditLog.entity_id == request_id
            )
        )
    assert audited is not None and audited.actor == "system:deliver_webhook"


def test_approvers_get_a_chat_message_that_links_to_the_app_not_the_approval_link(
    api: Api, staff: dict[str, Person], drain: Callable[[], None]
) -> None:
    analysts = [staff["analyst1"], staff["analyst2"]]
    auths = [api.login(p) for p in analysts]
    with webhook_receiver(200) as receiver:
        try:
            for auth in auths:
                saved = _save(api, auth, "chat", url=receiver.url, format="slack")
                assert saved["shown_once"] == {}  # chat has no secret: the URL is one
            applicant = api.register()
            request_id = api.submit(api.login(applicant))["id"]
            drain()
        finally:
            for auth in auths:
                _turn_off(api, auth, "chat")
    assigned = [json.loads(r.body) for r in receiver.received if request_id[:8] in r.body.decode()]
    assert len(assigned) == 1
    message = assigned[0]
    assert message["text"].startswith(f"Approval needed: credit request {request_id[:8]}")
    button = message["blocks"][1]["elements"][0]
    assert button["url"] == f"http://app.test/inbox/{request_id}"
    raw = json.dumps(message)
    assert "/approvals/" not in raw and "webhook-signature" not in receiver.received[0].headers


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/meta-data/iam/",
        "https://[fe80::1]/x",
        "https://user:secret@example.com/hook",
        "javascript:alert(1)",
    ],
)
def test_unsafe_webhook_urls_are_refused_with_a_clear_error(
    api: Api, applicant: tuple[Person, dict[str, str]], url: str
) -> None:
    _, auth = applicant
    response = api.http.put(
        "/api/v1/users/me/notifications",
        json={"channels": [{"channel": "webhook", "enabled": True, "settings": {"url": url}}]},
        headers=auth,
    )
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "invalid_channel_settings"
    assert error["details"][0]["loc"] == ["channels", 0, "settings", "url"]
    assert "secret" not in json.dumps(error["details"])  # the input is not echoed back
