"""The AWS SAM template (infra/template.yaml) says what the topology and the route table say.

Apart from the first test, these read the committed YAML file, not the generator, so a
hand edit, a stale file or a generator bug all fail here.
"""

import ast
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

from infra import template as generator
from shared.backup.service import bucket_name
from shared.config import Settings, get_settings
from shared.http.routes import ROUTES
from shared.messaging.topology import (
    FUNCTION_TIMEOUT_SECONDS,
    QUEUES,
    SCHEDULES,
    TOPIC,
    VISIBILITY_TIMEOUT_SECONDS,
    filter_policy,
)

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE_PATH = ROOT / "infra" / "template.yaml"
FUNCTIONS_DIR = ROOT / "functions"
PREFIX = "${ResourcePrefix}-"

Resource = dict[str, Any]


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    loaded = yaml.safe_load(TEMPLATE_PATH.read_text())
    assert isinstance(loaded, dict)
    return loaded


def of_type(template: dict[str, Any], kind: str) -> dict[str, Resource]:
    return {k: r for k, r in template["Resources"].items() if r["Type"] == kind}


def prefixed(value: Any) -> str:
    """`{"Fn::Sub": "${ResourcePrefix}-name"}` -> "name" (the topology's naming rule)."""
    assert isinstance(value, dict), value
    assert list(value) == ["Fn::Sub"], value
    text = value["Fn::Sub"]
    assert isinstance(text, str), value
    assert text.startswith(PREFIX), value
    return text.removeprefix(PREFIX)


def functions(template: dict[str, Any]) -> dict[str, Resource]:
    """function folder name -> its AWS::Serverless::Function properties."""
    result: dict[str, Resource] = {}
    for resource in of_type(template, "AWS::Serverless::Function").values():
        props = resource["Properties"]
        [handler] = props["ImageConfig"]["Command"]  # the base image's entrypoint takes it
        match = re.fullmatch(r"functions\.(\w+)\.handler\.handler", handler)
        assert match, f"unexpected handler {handler!r}"
        assert match[1] not in result, f"two functions for functions/{match[1]}"
        result[match[1]] = props
    return result


def events(template: dict[str, Any], kind: str) -> list[tuple[str, Resource]]:
    return [
        (name, event["Properties"])
        for name, props in functions(template).items()
        for event in props.get("Events", {}).values()
        if event["Type"] == kind
    ]


def queues_by_name(template: dict[str, Any]) -> dict[str, tuple[str, Resource]]:
    return {
        prefixed(r["Properties"]["QueueName"]): (logical_id, r["Properties"])
        for logical_id, r in of_type(template, "AWS::SQS::Queue").items()
    }


def topic_id(template: dict[str, Any]) -> str:
    topics = of_type(template, "AWS::SNS::Topic")
    assert len(topics) == 1
    [(logical_id, topic)] = topics.items()
    assert prefixed(topic["Properties"]["TopicName"]) == TOPIC
    return logical_id


def statements(props: Resource) -> list[dict[str, Any]]:
    return [s for p in props.get("Policies", []) if "Statement" in p for s in p["Statement"]]


def policy_templates(props: Resource, name: str) -> list[dict[str, Any]]:
    return [p[name] for p in props.get("Policies", []) if name in p]


# (a) committed == generated ------------------------------------------------------------


def test_committed_template_is_the_generated_one() -> None:
    assert TEMPLATE_PATH.read_text() == generator.render(), (
        "infra/template.yaml is stale: run `python -m infra.template` and commit it"
    )
    assert generator.main(["--check"]) == 0


# (b) messaging and schedules == topology -----------------------------------------------


def test_function_timeout_is_the_topology_one(template: dict[str, Any]) -> None:
    """One timeout for every function (queue visibility is 6x it), except the scheduled ones
    whose schedule asks for longer: the nightly backup dumps the whole database."""
    function_globals = template["Globals"]["Function"]
    assert function_globals["Timeout"] == FUNCTION_TIMEOUT_SECONDS
    overridden = {n: p["Timeout"] for n, p in functions(template).items() if "Timeout" in p}
    longer = {
        s.function: s.timeout_seconds
        for s in SCHEDULES
        if s.timeout_seconds != FUNCTION_TIMEOUT_SECONDS
    }
    assert overridden == longer == {"nightly_backup": 900}
    assert all(timeout <= 900 for timeout in overridden.values())  # Lambda's maximum
    queue_functions = {q.function for q in QUEUES}
    assert not queue_functions & set(overridden), "a queue consumer outlasting its visibility"
    backup = functions(template)["nightly_backup"]
    assert backup["EphemeralStorage"] == {"Size": 10240}


def test_queues_and_dead_letter_queues_match_the_topology(template: dict[str, Any]) -> None:
    queues = queues_by_name(template)
    expected = {q.name for q in QUEUES} | {q.dlq_name for q in QUEUES}
    assert set(queues) == expected
    timeout = template["Globals"]["Function"]["Timeout"]
    for spec in QUEUES:
        _, props = queues[spec.name]
        dlq_id, dlq = queues[spec.dlq_name]
        assert props["VisibilityTimeout"] == VISIBILITY_TIMEOUT_SECONDS
        assert props["VisibilityTimeout"] >= 6 * timeout, "AWS: >= 6x the function timeout"
        redrive = props["RedrivePolicy"]
        assert redrive["maxReceiveCount"] == spec.max_receive_count
        assert redrive["maxReceiveCount"] >= 5
        assert redrive["deadLetterTargetArn"] == {"Fn::GetAtt": [dlq_id, "Arn"]}
        assert "RedrivePolicy" not in dlq


def test_each_queue_subscribes_to_the_topic_with_its_filter_policy(
    template: dict[str, Any],
) -> None:
    topic = topic_id(template)
    queues = queues_by_name(template)
    subscriptions = list(of_type(template, "AWS::SNS::Subscription").values())
    assert len(subscriptions) == len(QUEUES)
    by_endpoint = {
        s["Properties"]["Endpoint"]["Fn::GetAtt"][0]: s["Properties"] for s in subscriptions
    }
    for spec in QUEUES:
        queue_id, _ = queues[spec.name]
        sub = by_endpoint[queue_id]
        assert sub["Endpoint"] == {"Fn::GetAtt": [queue_id, "Arn"]}
        assert sub["TopicArn"] == {"Ref": topic}
        assert sub["Protocol"] == "sqs"
        assert sub["RawMessageDelivery"] is True
        assert sub.get("FilterPolicyScope", "MessageAttributes") == "MessageAttributes"
        assert sub["FilterPolicy"] == filter_policy(spec)


def test_each_queue_lets_only_the_topic_send(template: dict[str, Any]) -> None:
    topic = topic_id(template)
    queues = queues_by_name(template)
    allowed: dict[str, Any] = {}
    for policy in of_type(template, "AWS::SQS::QueuePolicy").values():
        props = policy["Properties"]
        [statement] = props["PolicyDocument"]["Statement"]
        for queue_ref in props["Queues"]:
            allowed[queue_ref["Ref"]] = statement
    for spec in QUEUES:
        queue_id, _ = queues[spec.name]
        statement = allowed[queue_id]
        assert statement["Effect"] == "Allow"
        assert statement["Principal"] == {"Service": "sns.amazonaws.com"}
        assert statement["Action"] == "sqs:SendMessage"
        assert statement["Resource"] == {"Fn::GetAtt": [queue_id, "Arn"]}
        assert statement["Condition"] == {"ArnEquals": {"aws:SourceArn": {"Ref": topic}}}


def test_each_queue_is_consumed_by_its_function(template: dict[str, Any]) -> None:
    queues = queues_by_name(template)
    ids = {queue_id: name for name, (queue_id, _) in queues.items()}
    consumed = Counter(
        (function, ids[props["Queue"]["Fn::GetAtt"][0]])
        for function, props in events(template, "SQS")
    )
    assert consumed == Counter((q.function, q.name) for q in QUEUES)


def test_schedules_match_the_topology(template: dict[str, Any]) -> None:
    declared = Counter(
        (function, prefixed(props["Name"]), props["Schedule"])
        for function, props in events(template, "Schedule")
    )
    assert declared == Counter((s.function, s.name, s.expression) for s in SCHEDULES)


def test_no_other_event_sources(template: dict[str, Any]) -> None:
    kinds = {
        event["Type"]
        for props in functions(template).values()
        for event in props.get("Events", {}).values()
    }
    assert kinds <= {"HttpApi", "SQS", "Schedule"}


# (c) routes == route table -------------------------------------------------------------


def test_every_route_is_an_http_api_event_of_its_function(template: dict[str, Any]) -> None:
    [api_id] = of_type(template, "AWS::Serverless::HttpApi")
    declared = events(template, "HttpApi")
    assert all(props["ApiId"] == {"Ref": api_id} for _, props in declared)
    assert Counter((props["Method"], props["Path"], f) for f, props in declared) == Counter(
        (r.method, r.path, r.function) for r in ROUTES
    )


def test_no_api_outside_the_route_table(template: dict[str, Any]) -> None:
    kinds = {r["Type"] for r in template["Resources"].values()}
    assert "AWS::Serverless::Api" not in kinds  # no REST API beside the one HTTP API
    assert len(of_type(template, "AWS::Serverless::HttpApi")) == 1


# (d) SQS event sources report partial batch failures -----------------------------------


def test_every_sqs_event_source_reports_batch_item_failures(template: dict[str, Any]) -> None:
    sources = events(template, "SQS")
    assert sources
    for function, props in sources:
        assert props["FunctionResponseTypes"] == ["ReportBatchItemFailures"], function
        assert 1 <= props["BatchSize"] <= 10, function


def test_a_webhook_batch_fits_in_the_function_timeout_whatever_the_receivers_do() -> None:
    """Each delivery may wait 5 s to connect and the configured timeout for an answer: a batch
    of them must end before the function is cut off, or its other deliveries come back with
    no backoff and a receive spent."""
    [webhooks] = [q for q in QUEUES if q.function == "deliver_webhook"]
    worst = webhooks.batch_size * (5 + Settings().webhook_timeout_seconds)
    assert worst < FUNCTION_TIMEOUT_SECONDS


def test_each_sqs_event_source_scales_as_its_topology_queue_says(
    template: dict[str, Any],
) -> None:
    queues = queues_by_name(template)
    ids = {queue_id: name for name, (queue_id, _) in queues.items()}
    specs = {q.name: q for q in QUEUES}
    scaled = {
        ids[props["Queue"]["Fn::GetAtt"][0]]: (
            props["ScalingConfig"]["MaximumConcurrency"],
            props["BatchSize"],
        )
        for _, props in events(template, "SQS")
    }
    assert scaled == {q.name: (q.maximum_concurrency, q.batch_size) for q in QUEUES}
    # Not one number for all: each queue's own reaches the template.
    assert len({spec.maximum_concurrency for spec in specs.values()}) > 1


# functions, environment, backups, permissions ------------------------------------------


def _defines_handler(path: Path) -> bool:
    tree = ast.parse(path.read_text())
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name == "handler":
            return True
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "handler" for t in node.targets
        ):
            return True
    return False


def test_one_function_per_folder_with_a_handler(template: dict[str, Any]) -> None:
    folders = {p.parent.name for p in FUNCTIONS_DIR.glob("*/handler.py")}
    declared = functions(template)
    assert set(declared) == folders
    for name in declared:
        assert _defines_handler(FUNCTIONS_DIR / name / "handler.py"), name


def test_each_function_is_its_own_image_on_the_python_3_13_lambda_base(
    template: dict[str, Any],
) -> None:
    """Zip functions would package whatever CodeUri holds; each image holds its own folder."""
    dockerfile = ROOT / "functions" / "Dockerfile"
    [base] = re.findall(r"^FROM\s+(\S+)", dockerfile.read_text(), flags=re.MULTILINE)
    assert base.startswith("public.ecr.aws/lambda/python:3.13"), base
    assert "Runtime" not in template["Globals"]["Function"]
    assert "CodeUri" not in template["Globals"]["Function"]
    for resource in of_type(template, "AWS::Serverless::Function").values():
        props, metadata = resource["Properties"], resource["Metadata"]
        [handler] = props["ImageConfig"]["Command"]
        folder = handler.split(".")[1]
        assert props["PackageType"] == "Image"
        assert not {"Runtime", "Handler", "CodeUri"} & set(props), folder
        # Paths as `sam build --base-dir .` (the CI deploy job) resolves them: from the root.
        assert (ROOT / metadata["DockerContext"] / metadata["Dockerfile"]) == dockerfile
        assert metadata["DockerBuildArgs"]["FUNCTION"] == folder


def test_the_backup_image_has_pg_dump(template: dict[str, Any]) -> None:
    backup = of_type(template, "AWS::Serverless::Function")["NightlyBackupFunction"]
    packages = backup["Metadata"]["DockerBuildArgs"]["SYSTEM_PACKAGES"].split()
    assert "postgresql15" in packages  # Amazon Linux 2023's PostgreSQL 15 client: pg_dump


def test_production_environment(template: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    assert template["Transform"] == "AWS::Serverless-2016-10-31"
    variables = template["Globals"]["Function"]["Environment"]["Variables"]
    fields = {name.upper() for name in Settings.model_fields}
    assert set(variables) <= fields, "every variable is a setting the functions read"
    assert variables["ENVIRONMENT"] == "production"
    # Absent would mean the settings default (LocalStack); empty means "no endpoint".
    assert variables["AWS_ENDPOINT_URL"] == ""
    assert variables["AWS_ACCOUNT_ID"] == {"Ref": "AWS::AccountId"}  # topic ARNs are built
    parameters = template["Parameters"]
    for name, parameter in {
        "RESOURCE_PREFIX": "ResourcePrefix",
        "DATABASE_URL": "DatabaseUrl",
        "REDIS_URL": "RedisUrl",
        "SECRET_KEY": "SecretKey",
        "PUBLIC_URL": "PublicUrl",
        "MAIL_FROM": "MailFrom",
    }.items():
        assert variables[name] == {"Ref": parameter}
        assert parameter in parameters
    assert parameters["ResourcePrefix"]["Default"] == "credit"
    assert parameters["SecretKey"]["NoEcho"] is True

    monkeypatch.setenv("AWS_ENDPOINT_URL", variables["AWS_ENDPOINT_URL"])
    monkeypatch.setenv("ENVIRONMENT", variables["ENVIRONMENT"])
    monkeypatch.setenv("SECRET_KEY", "a-strong-production-secret-of-40-chars!!")
    settings = Settings(_env_file=None)
    assert not settings.aws_endpoint_url, "the empty value must mean: no custom endpoint"
    assert not settings.is_local


def test_backup_bucket(template: dict[str, Any]) -> None:
    [(bucket_id, bucket)] = of_type(template, "AWS::S3::Bucket").items()
    props = bucket["Properties"]
    name = props["BucketName"]["Fn::Sub"].replace(
        "${ResourcePrefix}", get_settings().resource_prefix
    )
    assert name == bucket_name(), "the bucket the backup code writes to"
    assert bucket.get("DeletionPolicy") == "Retain"
    [rule] = props["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert rule["ServerSideEncryptionByDefault"] == {"SSEAlgorithm": "AES256"}
    assert props["VersioningConfiguration"] == {"Status": "Enabled"}
    [lifecycle] = props["LifecycleConfiguration"]["Rules"]
    assert lifecycle["Status"] == "Enabled"
    assert 0 < lifecycle["ExpirationInDays"] <= 90
    assert lifecycle["NoncurrentVersionExpiration"]["NoncurrentDays"] > 0
    assert set(props["PublicAccessBlockConfiguration"].values()) == {True}
    assert len(props["PublicAccessBlockConfiguration"]) == 4
    [policy] = of_type(template, "AWS::S3::BucketPolicy").values()
    assert policy["Properties"]["Bucket"] == {"Ref": bucket_id}


PUBLISHING = re.compile(r"\b(state_change|relay_pending|sqs_handler)\b")


def _publishes(function: str) -> bool:
    """Code that publishes outbox events: the relay, and every SQS consumer (it relays)."""
    return any(PUBLISHING.search(p.read_text()) for p in (FUNCTIONS_DIR / function).glob("*.py"))


def test_each_function_gets_only_the_permissions_it_uses(template: dict[str, Any]) -> None:
    topic = topic_id(template)
    queues = queues_by_name(template)
    [bucket_id] = of_type(template, "AWS::S3::Bucket")
    consumers = {q.function: queues[q.name][0] for q in QUEUES}
    for function, props in functions(template).items():
        pollers = policy_templates(props, "SQSPollerPolicy")
        if function in consumers:
            assert pollers == [{"QueueName": {"Fn::GetAtt": [consumers[function], "QueueName"]}}]
        else:
            assert pollers == [], function
        publishers = policy_templates(props, "SNSPublishMessagePolicy")
        expected = [{"TopicName": {"Fn::GetAtt": [topic, "TopicName"]}}]
        assert publishers == (expected if _publishes(function) else []), function

        for statement in statements(props):
            assert statement["Effect"] == "Allow"
            actions = statement["Action"]
            assert all(a != "*" and not a.endswith(":*") for a in actions), function
            assert statement["Resource"] != "*", function
        actions = {a for s in statements(props) for a in s["Action"]}
        assert ("ses:SendEmail" in actions) == (function == "notify"), function
        assert ("s3:PutObject" in actions) == (function == "nightly_backup"), function

    backup_statements = statements(functions(template)["nightly_backup"])
    assert [s["Resource"] for s in backup_statements] == [{"Fn::Sub": f"${{{bucket_id}.Arn}}/*"}]
    [ses] = statements(functions(template)["notify"])
    assert ses["Condition"] == {"StringEquals": {"ses:FromAddress": {"Ref": "MailFrom"}}}
