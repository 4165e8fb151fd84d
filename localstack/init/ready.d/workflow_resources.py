"""Create the workflow's LocalStack resources: the event topic, one queue and dead-letter
queue per consuming step with its filtered subscription, the backup bucket, the mail sender.

The one place that creates them. LocalStack runs this file as a `ready.d` init hook (the
compose `localstack` service mounts `localstack/init/`; `make local` points host-mode
LocalStack at the same folder), and `infra.local.provision` imports it to provision any
LocalStack with a given prefix (the tests, a LocalStack started elsewhere). What to create
comes from `../topology.json`, generated from `shared/messaging/topology.py`, the definition
the AWS template and the runner read too.

It needs only the standard library and boto3: inside LocalStack it runs in LocalStack's own
interpreter, which has boto3 but not the application. Idempotent: existing resources are
kept, and their subscription filters brought up to date.
"""

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

Client = Callable[[str], Any]  # service name -> boto3 client


def apply(plan: dict[str, Any], prefix: str, mail_from: str, client: Client) -> None:
    sns, sqs, s3, ses = client("sns"), client("sqs"), client("s3"), client("ses")

    def name(base: str) -> str:
        return f"{prefix}-{base}"

    def queue_arn(url: str) -> str:
        attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])
        return str(attributes["Attributes"]["QueueArn"])

    topic_arn = sns.create_topic(Name=name(plan["topic"]))["TopicArn"]
    subscribed = {
        s["Endpoint"]: s["SubscriptionArn"]
        for s in sns.list_subscriptions_by_topic(TopicArn=topic_arn)["Subscriptions"]
    }
    for queue in plan["queues"]:
        dlq_url = sqs.create_queue(
            QueueName=name(queue["dead_letter_queue"]),
            Attributes={"MessageRetentionPeriod": str(queue["dead_letter_retention_seconds"])},
        )["QueueUrl"]
        url = sqs.create_queue(QueueName=name(queue["name"]))["QueueUrl"]
        arn = queue_arn(url)
        only_from_topic = {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "sns.amazonaws.com"},
                    "Action": "sqs:SendMessage",
                    "Resource": arn,
                    "Condition": {"ArnEquals": {"aws:SourceArn": topic_arn}},
                }
            ],
        }
        redrive = {
            "deadLetterTargetArn": queue_arn(dlq_url),
            "maxReceiveCount": queue["max_receive_count"],
        }
        sqs.set_queue_attributes(
            QueueUrl=url,
            Attributes={
                "VisibilityTimeout": str(queue["visibility_timeout_seconds"]),
                "RedrivePolicy": json.dumps(redrive),
                "Policy": json.dumps(only_from_topic),
            },
        )
        filter_policy = json.dumps(queue["filter_policy"])
        if arn in subscribed:  # the topology may have changed which events the queue takes
            sns.set_subscription_attributes(
                SubscriptionArn=subscribed[arn],
                AttributeName="FilterPolicy",
                AttributeValue=filter_policy,
            )
        else:
            sns.subscribe(
                TopicArn=topic_arn,
                Protocol="sqs",
                Endpoint=arn,
                Attributes={"RawMessageDelivery": "true", "FilterPolicy": filter_policy},
            )

    bucket = name(plan["backup_bucket"])
    try:
        s3.head_bucket(Bucket=bucket)
    except Exception:  # botocore's ClientError (404); botocore is not importable by name here
        s3.create_bucket(Bucket=bucket)
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})

    ses.verify_email_identity(EmailAddress=mail_from)


def _as_localstack_init_hook() -> None:
    """Inside LocalStack: this LocalStack's own endpoint, the plan beside ready.d, and the
    prefix and sender from the environment (defaults: the application's)."""
    import importlib

    import boto3

    # By name at run time: for type checkers `localstack` is this repository's folder.
    config: Any = importlib.import_module("localstack.config")

    plan = json.loads((Path(config.dirs.init) / "topology.json").read_text())
    region = os.environ.get("AWS_DEFAULT_REGION", "us-east-1")

    def client(service: str) -> Any:
        return boto3.client(
            service,
            endpoint_url=config.internal_service_url(),
            region_name=region,
            aws_access_key_id="test",
            aws_secret_access_key="test",
        )

    apply(
        plan,
        prefix=os.environ.get("RESOURCE_PREFIX", plan["defaults"]["resource_prefix"]),
        mail_from=os.environ.get("MAIL_FROM", plan["defaults"]["mail_from"]),
        client=client,
    )


# LocalStack exec()s init scripts with empty globals: no __name__. Imported, this does nothing.
if "__name__" not in globals():
    _as_localstack_init_hook()
