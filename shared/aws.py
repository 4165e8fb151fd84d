"""boto3 clients, made once per process at first use, pointed at LocalStack when configured."""

import os
import threading
from functools import cache
from typing import Any

from shared.config import get_settings

# boto3's default session is not thread-safe while it makes a client (it loads the service
# model): two request threads making their first client at once can fail with
# "DataNotFoundError: Unable to load data for: sqs". Made one at a time.
_creating = threading.Lock()


@cache
def client(service: str) -> Any:
    """The process's boto3 client for `service`, pointed at LocalStack when AWS_ENDPOINT_URL is
    set."""
    import boto3  # imported here so modules that never call AWS don't pay for it

    settings = get_settings()
    options: dict[str, Any] = {"region_name": settings.aws_region}
    if settings.aws_endpoint_url:
        # LocalStack accepts any credentials; production uses the function's IAM role.
        options |= {
            "endpoint_url": settings.aws_endpoint_url,
            "aws_access_key_id": os.environ.get("AWS_ACCESS_KEY_ID", "test"),
            "aws_secret_access_key": os.environ.get("AWS_SECRET_ACCESS_KEY", "test"),
        }
    with _creating:
        return boto3.client(service, **options)


def topic_arn(name: str) -> str:
    """The ARN of one of the topology's topics under this deployment's prefix."""
    settings = get_settings()
    region, account = settings.aws_region, settings.aws_account_id
    return f"arn:aws:sns:{region}:{account}:{settings.resource_prefix}-{name}"


def queue_url(name: str) -> str:
    """The URL of one of the topology's queues under this deployment's prefix."""
    return str(
        client("sqs").get_queue_url(QueueName=f"{get_settings().resource_prefix}-{name}")[
            "QueueUrl"
        ]
    )
