"""The LocalStack init hook (localstack/init/ready.d) creates the workflow's resources inside a
real LocalStack, as the compose `localstack` service runs it: a LocalStack of our own (host
mode, the same version as the image) with this repository's init folder, a prefix of its own,
and nothing provisioned from outside."""

import json
import time
import urllib.request
import uuid
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from infra.local.stack import Stack, start_localstack
from shared.messaging.topology import (
    DLQ_RETENTION_SECONDS,
    QUEUES,
    TOPIC,
    VISIBILITY_TIMEOUT_SECONDS,
)
from tests.conftest import free_port

PREFIX = f"hook-{uuid.uuid4().hex[:6]}"
SENDER = "hook-test@example.com"


def _get(url: str) -> dict[str, Any]:
    with urllib.request.urlopen(url, timeout=5) as response:
        return dict(json.load(response))


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url = f"http://127.0.0.1:{free_port()}"
    root = tmp_path_factory.mktemp("localstack")
    # As an earlier LocalStack run leaves it: its own empty init folders, no hook.
    (root / "etc" / "localstack" / "init" / "ready.d").mkdir(parents=True)
    with Stack() as stack:
        start_localstack(
            stack,
            url,
            root,
            {"RESOURCE_PREFIX": PREFIX, "MAIL_FROM": SENDER},
        )
        deadline = time.monotonic() + 120
        while not _get(f"{url}/_localstack/init/ready")["completed"]:
            assert time.monotonic() < deadline, "the ready.d hooks did not finish"
            time.sleep(0.5)
        yield url


def _client(endpoint: str, service: str) -> Any:
    return boto3.client(
        service,
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )


def test_the_hook_ran_successfully(endpoint: str) -> None:
    scripts = _get(f"{endpoint}/_localstack/init/ready")["scripts"]
    assert {"name": "workflow_resources.py", "stage": "READY", "state": "SUCCESSFUL"} in scripts


def test_queues_have_the_topology_settings(endpoint: str) -> None:
    sqs = _client(endpoint, "sqs")
    for queue in QUEUES:
        url = sqs.get_queue_url(QueueName=f"{PREFIX}-{queue.name}")["QueueUrl"]
        attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        assert int(attributes["VisibilityTimeout"]) == VISIBILITY_TIMEOUT_SECONDS
        redrive = json.loads(attributes["RedrivePolicy"])
        assert int(redrive["maxReceiveCount"]) == queue.max_receive_count
        assert redrive["deadLetterTargetArn"].endswith(f":{PREFIX}-{queue.dlq_name}")
        dlq = sqs.get_queue_url(QueueName=f"{PREFIX}-{queue.dlq_name}")["QueueUrl"]
        retention = sqs.get_queue_attributes(
            QueueUrl=dlq, AttributeNames=["MessageRetentionPeriod"]
        )["Attributes"]["MessageRetentionPeriod"]
        assert int(retention) == DLQ_RETENTION_SECONDS


def test_each_event_reaches_exactly_the_queues_that_subscribe_to_it(endpoint: str) -> None:
    sns, sqs = _client(endpoint, "sns"), _client(endpoint, "sqs")
    topic = sns.create_topic(Name=f"{PREFIX}-{TOPIC}")["TopicArn"]  # idempotent: the hook's
    event_types = sorted({t for q in QUEUES for t in q.event_types})
    for event_type in event_types:
        sns.publish(
            TopicArn=topic,
            Message=event_type.value,
            MessageAttributes={"event_type": {"DataType": "String", "StringValue": event_type}},
        )
    for queue in QUEUES:
        url = sqs.get_queue_url(QueueName=f"{PREFIX}-{queue.name}")["QueueUrl"]
        received: list[str] = []
        deadline = time.monotonic() + 10
        while len(received) < len(queue.event_types) and time.monotonic() < deadline:
            messages = sqs.receive_message(
                QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1
            ).get("Messages", [])
            received += [m["Body"] for m in messages]  # raw delivery: the body is the message
        assert sorted(received) == sorted(t.value for t in queue.event_types), queue.name


def test_backup_bucket_is_versioned_and_the_sender_verified(endpoint: str) -> None:
    s3, ses = _client(endpoint, "s3"), _client(endpoint, "ses")
    versioning = s3.get_bucket_versioning(Bucket=f"{PREFIX}-backups")
    assert versioning["Status"] == "Enabled"
    assert SENDER in ses.list_identities()["Identities"]


def test_running_it_again_updates_what_a_queue_subscribes_to(database: str) -> None:
    """After a topology change, provisioning an existing LocalStack brings the filters up to
    date instead of keeping the old ones (the test run's own prefix)."""
    from infra.local import provision
    from shared import aws

    plan = provision.plan()
    stale = {
        **plan,
        "queues": [{**q, "filter_policy": {"event_type": ["x"]}} for q in plan["queues"]],
    }
    provision._hook().apply(stale, prefix=PREFIX + "-rerun", mail_from=SENDER, client=aws.client)
    provision._hook().apply(plan, prefix=PREFIX + "-rerun", mail_from=SENDER, client=aws.client)

    sns = aws.client("sns")
    topic = sns.create_topic(Name=f"{PREFIX}-rerun-{TOPIC}")["TopicArn"]
    filters = sorted(
        sns.get_subscription_attributes(SubscriptionArn=s["SubscriptionArn"])["Attributes"][
            "FilterPolicy"
        ]
        for s in sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
    )
    assert len(filters) == len(QUEUES)  # no second subscription either
    assert filters == sorted(json.dumps(q["filter_policy"]) for q in plan["queues"])
