"""A broker that delivers every message twice, the second time late and out of order.

It subscribes a queue of its own to the workflow topic (raw delivery, no filter, as each
step's queue is subscribed), so it sees every event SNS fans out. Each one it holds for a
random moment, shuffles with the others it holds, then sends to every step queue whose
filter takes the event type: a second copy, after the first SNS delivered on time, and
after events that happened later.
"""

import json
import random
import threading
import time
from typing import Any

from shared.messaging.topology import QUEUES, TOPIC
from tests.faults.stack import FaultStack

HOLD_SECONDS = (0.5, 4.0)


class Duplicator:
    def __init__(self, stack: FaultStack) -> None:
        self.stack = stack
        self.sqs = stack.localstack.client("sqs")
        self.sns = stack.localstack.client("sns")
        self.copies = 0
        self._stop = threading.Event()
        self._random = random.Random(11)
        self._thread = threading.Thread(target=self._run, name="duplicator")
        self._subscription = ""
        self._url = ""

    def __enter__(self) -> "Duplicator":
        topic = self.sns.create_topic(Name=f"{self.stack.prefix}-{TOPIC}")["TopicArn"]
        self._url = self.sqs.create_queue(QueueName=f"{self.stack.prefix}-chaos")["QueueUrl"]
        arn = self.sqs.get_queue_attributes(QueueUrl=self._url, AttributeNames=["QueueArn"])[
            "Attributes"
        ]["QueueArn"]
        self._subscription = self.sns.subscribe(
            TopicArn=topic,
            Protocol="sqs",
            Endpoint=arn,
            Attributes={"RawMessageDelivery": "true"},
            ReturnSubscriptionArn=True,
        )["SubscriptionArn"]
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.sns.unsubscribe(SubscriptionArn=self._subscription)
        self._stop.set()
        self._thread.join(30)
        self._flush_remaining()
        self.sqs.delete_queue(QueueUrl=self._url)

    def _run(self) -> None:
        held: list[tuple[float, str]] = []  # (send after, body)
        while not self._stop.is_set():
            received = self.sqs.receive_message(
                QueueUrl=self._url, MaxNumberOfMessages=10, WaitTimeSeconds=1
            ).get("Messages", [])
            for message in received:
                at = time.monotonic() + self._random.uniform(*HOLD_SECONDS)
                held.append((at, message["Body"]))
                self.sqs.delete_message(QueueUrl=self._url, ReceiptHandle=message["ReceiptHandle"])
            now = time.monotonic()
            due = [body for at, body in held if at <= now]
            held = [(at, body) for at, body in held if at > now]
            self._random.shuffle(due)
            for body in due:
                self._send_copies(body)
        for _, body in held:
            self._send_copies(body)

    def _flush_remaining(self) -> None:
        while messages := self.sqs.receive_message(
            QueueUrl=self._url, MaxNumberOfMessages=10, WaitTimeSeconds=1
        ).get("Messages", []):
            for message in messages:
                self._send_copies(message["Body"])
                self.sqs.delete_message(QueueUrl=self._url, ReceiptHandle=message["ReceiptHandle"])

    def _send_copies(self, body: str) -> None:
        event_type = _event_type(body)
        for queue in QUEUES:
            if event_type in {t.value for t in queue.event_types}:
                self.sqs.send_message(QueueUrl=self.stack.queue_url(queue.name), MessageBody=body)
                self.copies += 1


def _event_type(body: str) -> Any:
    return json.loads(body).get("event_type")
