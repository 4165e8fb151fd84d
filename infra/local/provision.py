"""Create the messaging topology, backup bucket and mail identity in LocalStack.

Idempotent: run it on every start. The same `shared.messaging.topology` definition drives
the AWS template (`infra/template.py`), so local and cloud resources cannot drift apart.
"""

import json
import logging
from typing import Any

from shared import aws
from shared.backup.service import bucket_name
from shared.config import get_settings
from shared.messaging.topology import (
    MAX_RECEIVE_COUNT,
    QUEUES,
    TOPIC,
    VISIBILITY_TIMEOUT_SECONDS,
    filter_policy,
    resource_name,
)

logger = logging.getLogger(__name__)
DLQ_RETENTION_SECONDS = 14 * 24 * 3600


def _queue_arn(sqs: Any, url: str) -> str:
    return str(
        sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
    )


def provision() -> None:
    settings = get_settings()
    prefix = settings.resource_prefix
    sns, sqs, s3, ses = aws.client("sns"), aws.client("sqs"), aws.client("s3"), aws.client("ses")

    topic_arn = sns.create_topic(Name=resource_name(prefix, TOPIC))["TopicArn"]
    existing = {
        (s["Endpoint"])
        for s in sns.list_subscriptions_by_topic(TopicArn=topic_arn)["Subscriptions"]
    }
    for queue in QUEUES:
        dlq_url = sqs.create_queue(
            QueueName=resource_name(prefix, queue.dlq_name),
            Attributes={"MessageRetentionPeriod": str(DLQ_RETENTION_SECONDS)},
        )["QueueUrl"]
        redrive = {
            "deadLetterTargetArn": _queue_arn(sqs, dlq_url),
            "maxReceiveCount": MAX_RECEIVE_COUNT,
        }
        url = sqs.create_queue(QueueName=resource_name(prefix, queue.name))["QueueUrl"]
        arn = _queue_arn(sqs, url)
        sqs.set_queue_attributes(
            QueueUrl=url,
            Attributes={
                "VisibilityTimeout": str(VISIBILITY_TIMEOUT_SECONDS),
                "RedrivePolicy": json.dumps(redrive),
                "Policy": json.dumps(
                    {
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
                ),
            },
        )
        if arn not in existing:
            sns.subscribe(
                TopicArn=topic_arn,
                Protocol="sqs",
                Endpoint=arn,
                Attributes={
                    "RawMessageDelivery": "true",
                    "FilterPolicy": json.dumps(filter_policy(queue)),
                },
            )

    bucket = bucket_name()
    try:
        s3.head_bucket(Bucket=bucket)
    except Exception:
        s3.create_bucket(Bucket=bucket)
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})

    ses.verify_email_identity(EmailAddress=settings.mail_from)
    logger.info("LocalStack resources ready", extra={"prefix": prefix})


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    provision()
