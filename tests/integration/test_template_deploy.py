"""The AWS template's messaging and storage resources deploy to LocalStack's CloudFormation
and route events exactly as the local topology does. (Functions need Lambda's Docker
runtime, so they are left out here; tests/unit/test_template.py checks them statically.)"""

import json
import time
import uuid
from pathlib import Path
from typing import Any

import yaml

from shared import aws

TEMPLATE = Path(__file__).resolve().parents[2] / "infra" / "template.yaml"
DEPLOYABLE = ("AWS::SNS::", "AWS::SQS::", "AWS::S3::")


def _non_lambda_template() -> dict[str, Any]:
    full = yaml.safe_load(TEMPLATE.read_text())
    return {
        "AWSTemplateFormatVersion": full["AWSTemplateFormatVersion"],
        "Parameters": {"ResourcePrefix": full["Parameters"]["ResourcePrefix"]},
        "Resources": {
            name: resource
            for name, resource in full["Resources"].items()
            if resource["Type"].startswith(DEPLOYABLE)
        },
        "Outputs": {
            name: output
            for name, output in full["Outputs"].items()
            if name in ("WorkflowEventsTopicArn", "BackupBucketName")
        },
    }


def _wait_for_stack(name: str) -> dict[str, Any]:
    cloudformation = aws.client("cloudformation")
    for _ in range(120):
        stack = cloudformation.describe_stacks(StackName=name)["Stacks"][0]
        if not stack["StackStatus"].endswith("IN_PROGRESS"):
            return dict(stack)
        time.sleep(0.5)
    raise AssertionError(f"stack {name} did not finish")


def _receive_all(url: str) -> list[str]:
    sqs = aws.client("sqs")
    bodies = []
    for _ in range(3):
        got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1)
        bodies += [m["Body"] for m in got.get("Messages", [])]
    return bodies


def test_template_resources_deploy_and_route_events_like_the_local_topology() -> None:
    prefix = f"cfn-{uuid.uuid4().hex[:8]}"
    stack_name = f"{prefix}-stack"
    cloudformation, sqs, s3 = aws.client("cloudformation"), aws.client("sqs"), aws.client("s3")
    cloudformation.create_stack(
        StackName=stack_name,
        TemplateBody=json.dumps(_non_lambda_template()),
        Parameters=[{"ParameterKey": "ResourcePrefix", "ParameterValue": prefix}],
    )
    stack = _wait_for_stack(stack_name)
    try:
        assert stack["StackStatus"] == "CREATE_COMPLETE", stack.get("StackStatusReason")
        outputs = {o["OutputKey"]: o["OutputValue"] for o in stack["Outputs"]}
        assert outputs["BackupBucketName"] == f"{prefix}-backups"
        versioning = s3.get_bucket_versioning(Bucket=outputs["BackupBucketName"])
        assert versioning["Status"] == "Enabled"

        urls = {
            name: sqs.get_queue_url(QueueName=f"{prefix}-{name}")["QueueUrl"]
            for name in ("score", "route-to-approver", "notify")
        }
        attributes = sqs.get_queue_attributes(QueueUrl=urls["score"], AttributeNames=["All"])
        redrive = json.loads(attributes["Attributes"]["RedrivePolicy"])
        assert int(redrive["maxReceiveCount"]) == 5
        assert redrive["deadLetterTargetArn"].endswith(f"{prefix}-score-dlq")
        assert int(attributes["Attributes"]["VisibilityTimeout"]) == 180

        marker = str(uuid.uuid4())
        aws.client("sns").publish(
            TopicArn=outputs["WorkflowEventsTopicArn"],
            Message=marker,
            MessageAttributes={
                "event_type": {"DataType": "String", "StringValue": "request.submitted"}
            },
        )
        # request.submitted goes to score and notify (raw delivery), not to routing.
        assert marker in _receive_all(urls["score"])
        assert marker in _receive_all(urls["notify"])
        assert marker not in _receive_all(urls["route-to-approver"])
    finally:
        cloudformation.delete_stack(StackName=stack_name)
