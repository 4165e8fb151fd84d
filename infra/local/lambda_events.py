"""Build the events AWS would hand a function, so local runs call the real entry points:
API Gateway HTTP API (payload 2.0), SQS batches, and EventBridge scheduled events."""

import base64
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from shared.clock import utcnow
from shared.config import get_settings


@dataclass
class LambdaContext:
    """The parts of the Lambda context object that handlers and libraries read."""

    function_name: str
    timeout_seconds: int = 30
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    memory_limit_in_mb: int = 512
    function_version: str = "$LATEST"
    _deadline: float = field(default=0.0)

    def __post_init__(self) -> None:
        self._deadline = time.monotonic() + self.timeout_seconds
        settings = get_settings()
        self.invoked_function_arn = (
            f"arn:aws:lambda:{settings.aws_region}:{settings.aws_account_id}:"
            f"function:{settings.resource_prefix}-{self.function_name}"
        )
        self.log_group_name = f"/aws/lambda/{self.function_name}"
        self.log_stream_name = self.aws_request_id

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def http_event(
    *,
    method: str,
    path: str,
    route_key: str,
    query_string: str,
    headers: list[tuple[str, str]],
    body: bytes,
    source_ip: str,
    path_parameters: dict[str, str],
) -> dict[str, Any]:
    joined: dict[str, str] = {}
    cookies: list[str] = []
    for name, value in headers:
        key = name.lower()
        if key == "cookie":
            cookies.extend(c.strip() for c in value.split(";") if c.strip())
            continue
        joined[key] = f"{joined[key]},{value}" if key in joined else value
    now = utcnow()
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": route_key,
        "rawPath": path,
        "rawQueryString": query_string,
        "headers": joined,
        "pathParameters": path_parameters,
        "requestContext": {
            "accountId": get_settings().aws_account_id,
            "apiId": "local",
            "domainName": joined.get("host", "localhost"),
            "http": {
                "method": method,
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": source_ip,
                "userAgent": joined.get("user-agent", ""),
            },
            "requestId": str(uuid.uuid4()),
            "routeKey": route_key,
            "stage": "$default",
            "time": now.strftime("%d/%b/%Y:%H:%M:%S +0000"),
            "timeEpoch": int(now.timestamp() * 1000),
        },
        "isBase64Encoded": True,
        "body": base64.b64encode(body).decode() if body else None,
    }
    if cookies:
        event["cookies"] = cookies
    return event


def sqs_event(messages: list[dict[str, Any]], queue_arn: str) -> dict[str, Any]:
    region = get_settings().aws_region
    return {
        "Records": [
            {
                "messageId": m["MessageId"],
                "receiptHandle": m["ReceiptHandle"],
                "body": m["Body"],
                "attributes": m.get("Attributes", {}),
                "messageAttributes": {
                    name: {
                        "stringValue": attr.get("StringValue"),
                        "dataType": attr.get("DataType", "String"),
                    }
                    for name, attr in m.get("MessageAttributes", {}).items()
                },
                "md5OfBody": m.get("MD5OfBody", ""),
                "eventSource": "aws:sqs",
                "eventSourceARN": queue_arn,
                "awsRegion": region,
            }
            for m in messages
        ]
    }


def scheduled_event(rule_name: str) -> dict[str, Any]:
    settings = get_settings()
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": settings.aws_account_id,
        "time": utcnow().strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": settings.aws_region,
        "resources": [
            f"arn:aws:events:{settings.aws_region}:{settings.aws_account_id}:rule/"
            f"{settings.resource_prefix}-{rule_name}"
        ],
        "detail": {},
    }
