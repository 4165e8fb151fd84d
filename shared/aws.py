"""boto3 clients, made once per process at first use, pointed at LocalStack when configured."""

import os
import threading
from functools import cache
from typing import Any

from shared.config import get_settings

CONNECTIONS = 32
# Fail fast when AWS (LocalStack) is unreachable: an API call that publishes after its commit
# must not hold its caller for botocore's default 60 s per attempt, since the outbox relay
# publishes whatever was left. Long enough for the runner's 5 s long polls.
CONNECT_TIMEOUT_SECONDS = 2
READ_TIMEOUT_SECONDS = 15
MAX_ATTEMPTS = 3
FAIL_FAST_READ_TIMEOUT_SECONDS = 3
_creating = threading.Lock()


def client(service: str, *, fail_fast: bool = False) -> Any:
    """The process's boto3 client for `service`, pointed at LocalStack when AWS_ENDPOINT_URL is
    set. Made once and shared: boto3 clients are thread-safe, and the local runner's pollers
    use one from several threads (notify's SES client above all), reusing its connections.

    `fail_fast`: one short attempt, for calls that something else retries anyway (publishing
    right after a commit, which the outbox relay repeats), so a slow AWS never holds a user."""
    with _creating:  # boto3's default session must not make clients on two threads at once
        return _client(service, fail_fast)


@cache
def _client(service: str, fail_fast: bool) -> Any:
    import boto3  # imported here so modules that never call AWS don't pay for it
    from botocore.config import Config

    settings = get_settings()
    options: dict[str, Any] = {
        "region_name": settings.aws_region,
        # One HTTP connection per thread that may call at once (the runner's pollers each
        # hold one through a long poll); botocore's default of 10 would make them queue.
        "config": Config(
            max_pool_connections=CONNECTIONS,
            connect_timeout=CONNECT_TIMEOUT_SECONDS,
            read_timeout=FAIL_FAST_READ_TIMEOUT_SECONDS if fail_fast else READ_TIMEOUT_SECONDS,
            retries={"mode": "standard", "max_attempts": 1 if fail_fast else MAX_ATTEMPTS},
        ),
    }
    if settings.aws_endpoint_url:
        # LocalStack accepts any credentials; production uses the function's IAM role.
        options |= {
            "endpoint_url": settings.aws_endpoint_url,
            "aws_access_key_id": os.environ.get("AWS_ACCESS_KEY_ID", "test"),
            "aws_secret_access_key": os.environ.get("AWS_SECRET_ACCESS_KEY", "test"),
        }
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
