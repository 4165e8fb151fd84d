"""The local runner's schedule arithmetic and the Lambda events it builds
(infra.local.runner.next_run, infra.local.lambda_events)."""

import base64
import json
from datetime import UTC, datetime, timedelta
from typing import Any, cast

import pytest
from aws_lambda_powertools.utilities.data_classes import SQSEvent
from fastapi import FastAPI, Request
from mangum import Mangum

from infra.local.lambda_events import LambdaContext, http_event, scheduled_event, sqs_event
from infra.local.runner import next_run
from shared.config import get_settings
from shared.messaging.topology import SCHEDULES, ScheduleSpec

T = datetime(2026, 11, 28, 1, 30, 15, 250000, tzinfo=UTC)
DAILY_2AM = "cron(0 2 * * ? *)"


# --- next_run ---------------------------------------------------------------------------------


def test_rate_five_minutes() -> None:
    assert next_run("rate(5 minutes)", T) == T + timedelta(minutes=5)


def test_rate_one_minute() -> None:
    assert next_run("rate(1 minute)", T) == T + timedelta(minutes=1)


@pytest.mark.parametrize(
    ("expression", "delta"),
    [
        ("rate(2 hours)", timedelta(hours=2)),
        ("rate(1 hour)", timedelta(hours=1)),
        ("rate(1 day)", timedelta(days=1)),
        ("rate(3 days)", timedelta(days=3)),
    ],
)
def test_rate_other_units(expression: str, delta: timedelta) -> None:
    assert next_run(expression, T) == T + delta


def test_daily_cron_before_the_hour_fires_the_same_day() -> None:
    assert next_run(DAILY_2AM, T) == datetime(2026, 11, 28, 2, 0, tzinfo=UTC)


def test_daily_cron_after_the_hour_fires_the_next_day() -> None:
    after = datetime(2026, 11, 28, 2, 30, tzinfo=UTC)
    assert next_run(DAILY_2AM, after) == datetime(2026, 11, 29, 2, 0, tzinfo=UTC)


def test_daily_cron_exactly_at_the_hour_fires_the_next_day() -> None:
    # Otherwise the scheduler, which asks again right after firing, would fire twice.
    at = datetime(2026, 11, 28, 2, 0, tzinfo=UTC)
    assert next_run(DAILY_2AM, at) == datetime(2026, 11, 29, 2, 0, tzinfo=UTC)


def test_daily_cron_a_moment_after_the_hour_fires_the_next_day() -> None:
    just_after = datetime(2026, 11, 28, 2, 0, 0, 1, tzinfo=UTC)
    assert next_run(DAILY_2AM, just_after) == datetime(2026, 11, 29, 2, 0, tzinfo=UTC)


def test_daily_cron_rolls_over_month_and_year() -> None:
    new_years_eve = datetime(2026, 12, 31, 23, 59, tzinfo=UTC)
    assert next_run(DAILY_2AM, new_years_eve) == datetime(2027, 1, 1, 2, 0, tzinfo=UTC)


def test_daily_cron_minute_field_is_honoured() -> None:
    assert next_run("cron(45 13 * * ? *)", T) == datetime(2026, 11, 28, 13, 45, tzinfo=UTC)


def test_next_run_stays_timezone_aware_utc() -> None:
    for expression in ("rate(5 minutes)", DAILY_2AM):
        assert next_run(expression, T).utcoffset() == timedelta(0)


@pytest.mark.parametrize(
    "expression",
    [
        "cron(0 2 ? * MON *)",
        "cron(0/5 * * * ? *)",
        "rate(5 weeks)",
        "rate(five minutes)",
        "at(2026-11-28T02:00:00)",
        "",
        "rate(5 minutes) ",
    ],
)
def test_unsupported_expression_raises(expression: str) -> None:
    with pytest.raises(ValueError, match="unsupported"):
        next_run(expression, T)


@pytest.mark.parametrize("schedule", SCHEDULES, ids=lambda s: s.name)
def test_every_configured_schedule_is_supported(schedule: ScheduleSpec) -> None:
    assert next_run(schedule.expression, T) > T


# --- sqs_event ---------------------------------------------------------------------------------

ARN = "arn:aws:sqs:us-east-1:000000000000:credit-score"
MESSAGES: list[dict[str, Any]] = [
    {
        "MessageId": "m-1",
        "ReceiptHandle": "rh-1",
        "Body": '{"hello": "world"}',
        "MD5OfBody": "abc",
        "Attributes": {"ApproximateReceiveCount": "2"},
        "MessageAttributes": {"event_type": {"DataType": "String", "StringValue": "x.y"}},
    },
    {"MessageId": "m-2", "ReceiptHandle": "rh-2", "Body": "second"},
]


def test_sqs_event_has_one_record_per_message_in_lambda_shape() -> None:
    event = sqs_event(MESSAGES, ARN)
    first, second = event["Records"]
    assert first["messageId"] == "m-1"
    assert first["receiptHandle"] == "rh-1"
    assert first["body"] == '{"hello": "world"}'
    assert first["eventSourceARN"] == ARN
    assert first["eventSource"] == "aws:sqs"
    assert first["awsRegion"] == get_settings().aws_region
    assert first["attributes"] == {"ApproximateReceiveCount": "2"}
    assert first["messageAttributes"] == {
        "event_type": {"stringValue": "x.y", "dataType": "String"}
    }
    assert (second["messageId"], second["receiptHandle"], second["body"]) == (
        "m-2",
        "rh-2",
        "second",
    )
    assert second["messageAttributes"] == {}


def test_sqs_event_is_readable_by_powertools() -> None:
    records = list(SQSEvent(sqs_event(MESSAGES, ARN)).records)
    assert [r.message_id for r in records] == ["m-1", "m-2"]
    assert records[0].json_body == {"hello": "world"}
    assert records[0].event_source_arn == ARN
    attribute = records[0].message_attributes["event_type"]
    assert attribute is not None
    assert attribute.string_value == "x.y"


def test_empty_batch_has_no_records() -> None:
    assert sqs_event([], ARN) == {"Records": []}


# --- http_event ---------------------------------------------------------------------------------


def make_http_event(
    body: bytes = b"", headers: list[tuple[str, str]] | None = None
) -> dict[str, Any]:
    return http_event(
        method="POST",
        path="/api/v1/echo/abc",
        route_key="POST /api/v1/echo/{item}",
        query_string="q=1",
        headers=headers if headers is not None else [],
        body=body,
        source_ip="10.0.0.7",
        path_parameters={"item": "abc"},
    )


def test_http_event_joins_repeated_headers_and_lowercases_names() -> None:
    event = make_http_event(
        headers=[("X-Thing", "1"), ("x-thing", "2"), ("Accept", "text/plain"), ("Host", "h:8")]
    )
    assert event["headers"]["x-thing"] == "1,2"
    assert event["headers"]["accept"] == "text/plain"
    assert "X-Thing" not in event["headers"]
    assert event["requestContext"]["domainName"] == "h:8"


def test_http_event_moves_cookies_out_of_headers() -> None:
    event = make_http_event(headers=[("Cookie", "a=1; b=2"), ("cookie", "c=3")])
    assert event["cookies"] == ["a=1", "b=2", "c=3"]
    assert "cookie" not in event["headers"]


def test_http_event_base64_encodes_the_body() -> None:
    payload = b'\x00\xff{"amount": "10"}'
    event = make_http_event(body=payload)
    assert event["isBase64Encoded"] is True
    assert base64.b64decode(event["body"]) == payload


def test_http_event_without_body() -> None:
    assert make_http_event(body=b"")["body"] is None


def test_http_event_carries_route_and_request_context() -> None:
    event = make_http_event()
    assert event["version"] == "2.0"
    assert event["routeKey"] == "POST /api/v1/echo/{item}"
    assert event["rawPath"] == "/api/v1/echo/abc"
    assert event["rawQueryString"] == "q=1"
    assert event["pathParameters"] == {"item": "abc"}
    http = event["requestContext"]["http"]
    assert (http["method"], http["path"], http["sourceIp"]) == (
        "POST",
        "/api/v1/echo/abc",
        "10.0.0.7",
    )


# Mangum asks asyncio for a loop when built; on the main thread that only warns.
@pytest.mark.filterwarnings("ignore:There is no current event loop:DeprecationWarning")
def test_http_event_is_served_by_mangum_like_api_gateway() -> None:
    app = FastAPI()

    @app.post("/api/v1/echo/{item}")
    async def echo(item: str, request: Request) -> dict[str, object]:
        return {
            "item": item,
            "thing": request.headers.get("x-thing"),
            "body": (await request.body()).hex(),
            "cookies": dict(request.cookies),
            "q": request.query_params.get("q"),
        }

    payload = b"\x00\xffhi"
    event = make_http_event(
        body=payload, headers=[("X-Thing", "1"), ("x-thing", "2"), ("Cookie", "a=1; b=2")]
    )
    result = Mangum(app, lifespan="off")(event, cast(Any, LambdaContext("echo")))
    assert result["statusCode"] == 200
    assert json.loads(result["body"]) == {
        "item": "abc",
        "thing": "1,2",
        "body": payload.hex(),
        "cookies": {"a": "1", "b": "2"},
        "q": "1",
    }


def test_scheduled_event_names_the_rule() -> None:
    event = scheduled_event("nightly-backup")
    settings = get_settings()
    assert event["detail-type"] == "Scheduled Event"
    assert event["source"] == "aws.events"
    assert event["resources"] == [
        f"arn:aws:events:{settings.aws_region}:{settings.aws_account_id}:rule/"
        f"{settings.resource_prefix}-nightly-backup"
    ]


def test_lambda_context_reports_remaining_time_within_timeout() -> None:
    context = LambdaContext("score", timeout_seconds=30)
    assert 0 < context.get_remaining_time_in_millis() <= 30_000
    assert context.invoked_function_arn.endswith(
        f":function:{get_settings().resource_prefix}-score"
    )
