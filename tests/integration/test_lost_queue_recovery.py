"""A queue that lost its messages with its broker (deleted and created again, as a LocalStack
restart does to every queue) gets them again from the outbox relay: the events published to
the old queue that its consumer never processed, and only those (shared.messaging.recovery).
The fault suite does the same to the whole of LocalStack under traffic (tests/faults)."""

import time
from collections.abc import Callable

from infra.local.provision import provision
from shared import aws
from shared.messaging.recovery import redeliver_lost_events, remember_queue_generations
from shared.messaging.topology import QUEUES
from tests.support import Api

SCORE = next(q for q in QUEUES if q.name == "score")


def _score_queue_bodies() -> list[str]:
    """What the score queue holds, peeked at with one receive (every receive counts towards
    the message's maxReceiveCount) that leaves it visible."""
    received = aws.client("sqs").receive_message(
        QueueUrl=aws.queue_url(SCORE.name),
        MaxNumberOfMessages=10,
        VisibilityTimeout=0,
        WaitTimeSeconds=2,
    )
    return [m["Body"] for m in received.get("Messages", [])]


def test_a_recreated_queue_gets_again_the_events_it_lost_and_only_those(
    api: Api, drain: Callable[[], None]
) -> None:
    drain()  # what earlier tests left queued
    remember_queue_generations()
    auth = api.login(api.register())
    scored_id = api.submit(auth)["id"]
    drain()
    assert api.request(auth, scored_id)["status"] != "submitted"
    lost_id = api.submit(auth)["id"]  # its request.submitted now waits in the score queue

    # The broker loses the queue and everything in it; provisioning creates it again (at
    # least a second later: SQS's CreatedTimestamp counts whole seconds).
    aws.client("sqs").delete_queue(QueueUrl=aws.queue_url(SCORE.name))
    time.sleep(1.1)
    provision()
    assert _score_queue_bodies() == []

    assert redeliver_lost_events() >= 1
    waiting = _score_queue_bodies()
    assert any(lost_id in body for body in waiting)
    assert not any(scored_id in body for body in waiting)  # it was processed: not sent again
    assert redeliver_lost_events() == 0  # once per new queue

    drain()
    assert api.request(auth, lost_id)["status"] != "submitted"
