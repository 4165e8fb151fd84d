"""LocalStack's own throughput, measured in the same run: the ceiling the pipeline works
under, since LocalStack shares the CPUs. `BENCH_RAW_SECONDS` of each, from `THREADS` threads
at once: SQS SendMessageBatch; SQS ReceiveMessage + DeleteMessageBatch of those; SNS
PublishBatch (a topic without subscribers); SES SendEmail (from a sender of its own, so the
P4 mailbox count ignores these)."""

import os
import threading
import time
from collections.abc import Callable

from benchmarks.harness import RUN_ID

THREADS = 4


def _rate(seconds: float, call: Callable[[], int]) -> float:
    """Messages a second that THREADS threads move calling `call` (returns how many)."""
    moved = [0] * THREADS
    deadline = time.perf_counter() + seconds

    def work(index: int) -> None:
        while time.perf_counter() < deadline:
            moved[index] += call()

    started = time.perf_counter()
    threads = [threading.Thread(target=work, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(moved) / (time.perf_counter() - started)


def run() -> tuple[list[str], dict[str, float]]:
    from shared import aws

    seconds = float(os.environ.get("BENCH_RAW_SECONDS", "5"))
    sqs, sns, ses = aws.client("sqs"), aws.client("sns"), aws.client("ses")
    queue = sqs.create_queue(QueueName=f"bench-{RUN_ID}-raw")["QueueUrl"]
    topic = sns.create_topic(Name=f"bench-{RUN_ID}-raw")["TopicArn"]
    sender = f"bench-{RUN_ID}-raw@example.com"
    ses.verify_email_identity(EmailAddress=sender)
    body = "x" * 600  # about an event envelope's size

    def send() -> int:
        entries = [{"Id": str(n), "MessageBody": body} for n in range(10)]
        sqs.send_message_batch(QueueUrl=queue, Entries=entries)
        return 10

    def receive_and_delete() -> int:
        messages = sqs.receive_message(
            QueueUrl=queue, MaxNumberOfMessages=10, WaitTimeSeconds=1
        ).get("Messages", [])
        if messages:
            sqs.delete_message_batch(
                QueueUrl=queue,
                Entries=[
                    {"Id": str(n), "ReceiptHandle": m["ReceiptHandle"]}
                    for n, m in enumerate(messages)
                ],
            )
        return len(messages)

    def publish() -> int:
        entries = [{"Id": str(n), "Message": body} for n in range(10)]
        sns.publish_batch(TopicArn=topic, PublishBatchRequestEntries=entries)
        return 10

    def email() -> int:
        ses.send_email(
            Source=sender,
            Destination={"ToAddresses": [f"bench-{RUN_ID}-raw-to@example.com"]},
            Message={"Subject": {"Data": "raw"}, "Body": {"Text": {"Data": body}}},
        )
        return 1

    try:
        rates = {
            "SQS SendMessageBatch (msg/s)": _rate(seconds, send),
            "SQS Receive + DeleteMessageBatch (msg/s)": _rate(seconds, receive_and_delete),
            "SNS PublishBatch (msg/s)": _rate(seconds, publish),
            "SES SendEmail (emails/s)": _rate(seconds, email),
        }
    finally:
        sqs.delete_queue(QueueUrl=queue)
        sns.delete_topic(TopicArn=topic)
    lines = [f"LocalStack ceiling: {THREADS} threads x {seconds:g} s each"]
    lines += [f"  {name:42} {rate:8.0f}" for name, rate in rates.items()]
    return lines, rates
