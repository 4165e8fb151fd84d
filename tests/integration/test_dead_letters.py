"""Dead-letter queue operations (shared.messaging.dlq, `make dlq`, `make redrive`, the admin
API): a message that failed `max_receive_count` times lands in the score queue's DLQ through
SQS's own redrive policy, is listed there, is moved back, and the step then does its work."""

from collections.abc import Callable
from typing import Literal

import pytest

from shared import aws
from shared.messaging import dlq
from shared.messaging.topology import QUEUES
from tests.conftest import wait_until
from tests.support import Api, Person

SCORE = next(q for q in QUEUES if q.name == "score")


def _dead_letter_a_submission(api: Api, drain: Callable[[], None]) -> tuple[dict[str, str], str]:
    """A new request whose `request.submitted` message fails in `score` until SQS moves it to
    the DLQ: received max_receive_count times and never deleted, as a crashing step does.
    (Other tests may have left poison of their own in score-dlq: assertions are about ours.)"""
    drain()  # what earlier tests left queued
    applicant = api.register()
    auth = api.login(applicant)
    request_id = api.submit(auth)["id"]
    sqs, url = aws.client("sqs"), aws.queue_url(SCORE.name)
    receives = 0
    while receives < SCORE.max_receive_count:
        messages = sqs.receive_message(
            QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=0, WaitTimeSeconds=5
        ).get("Messages", [])
        assert messages, "the submission's message was not in the score queue"
        receives += sum(request_id in m["Body"] for m in messages)
    # The next receive finds it over its limit: SQS moves it to the dead-letter queue.
    sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=0)
    wait_until(lambda: _dead_lettered(request_id), timeout=10)
    drain()  # the other steps' messages (the applicant's email)
    assert api.request(auth, request_id)["status"] == "submitted"
    return auth, request_id


def _dead_lettered(request_id: str) -> bool:
    """Whether the request's message is in score-dlq (a peek: it stays visible)."""
    peeked = aws.client("sqs").receive_message(
        QueueUrl=aws.queue_url(SCORE.dlq_name), MaxNumberOfMessages=10, VisibilityTimeout=0
    )
    return any(request_id in m["Body"] for m in peeked.get("Messages", []))


def _scored(api: Api, auth: dict[str, str], request_id: str, drain: Callable[[], None]) -> bool:
    drain()
    return bool(api.request(auth, request_id)["status"] != "submitted")


@pytest.mark.parametrize("method", ["auto", "copy"])
def test_a_dead_lettered_message_is_listed_redriven_and_then_processed(
    api: Api, drain: Callable[[], None], method: Literal["auto", "copy"]
) -> None:
    auth, request_id = _dead_letter_a_submission(api, drain)

    listed = {row.queue: row for row in dlq.inventory()}
    assert set(listed) == {q.name for q in QUEUES}
    score = listed[SCORE.name]
    assert score.dead_letter_queue == "score-dlq" and score.function == "score"
    assert score.depth >= 1 and score.sample is not None and "request.submitted" in score.sample
    assert score.oldest_age_seconds is not None and score.oldest_age_seconds >= 0
    assert listed["notify"].depth == 0 and listed["notify"].sample is None

    result = dlq.redrive("score-dlq", method=method)
    # LocalStack offers SQS message move tasks; the copy is the fallback elsewhere.
    assert result.method == ("move_task" if method == "auto" else "copy")
    assert dlq.wait_for(result) >= 1
    assert not _dead_lettered(request_id)
    wait_until(lambda: _scored(api, auth, request_id, drain))


def test_without_message_move_tasks_redrive_copies(
    api: Api, drain: Callable[[], None], monkeypatch: pytest.MonkeyPatch
) -> None:
    """An endpoint that lacks StartMessageMoveTask (as LocalStack before 3.0 did)."""
    from botocore.exceptions import ClientError

    def unsupported(**_: object) -> None:
        raise ClientError({"Error": {"Code": "UnsupportedOperation"}}, "StartMessageMoveTask")

    sqs = aws.client("sqs")
    monkeypatch.setattr(sqs, "start_message_move_task", unsupported)
    monkeypatch.setattr(sqs, "list_message_move_tasks", unsupported)
    auth, request_id = _dead_letter_a_submission(api, drain)

    result = dlq.redrive(SCORE.name)
    assert result.method == "copy" and result.messages >= 1
    assert not dlq.inspect(SCORE).redrive_running
    assert not _dead_lettered(request_id)
    drain()
    assert api.request(auth, request_id)["status"] != "submitted"


def test_a_copy_interrupted_after_sending_duplicates_nothing(
    api: Api, drain: Callable[[], None]
) -> None:
    """Send, then delete: a redrive that dies between the two leaves the message in both
    queues; it is sent again by the next redrive and the step's idempotent claim makes the
    second delivery a no-op."""
    auth, request_id = _dead_letter_a_submission(api, drain)
    sqs = aws.client("sqs")
    dlq_url, score_url = aws.queue_url(SCORE.dlq_name), aws.queue_url(SCORE.name)
    peeked = sqs.receive_message(QueueUrl=dlq_url, MaxNumberOfMessages=10, VisibilityTimeout=0)
    ours = next(m for m in peeked["Messages"] if request_id in m["Body"])
    sqs.send_message(QueueUrl=score_url, MessageBody=ours["Body"])  # ... and then it died
    drain()
    scored = api.request(auth, request_id)
    assert scored["status"] != "submitted"

    assert dlq.redrive(SCORE.name, method="copy").messages >= 1
    assert not _dead_lettered(request_id)
    drain()
    again = api.request(auth, request_id)
    assert again["status"] == scored["status"] and again["updated_at"] == scored["updated_at"]


def test_admins_list_and_redrive_over_the_api_and_the_redrive_is_audited(
    api: Api, drain: Callable[[], None], staff: dict[str, Person]
) -> None:
    auth, request_id = _dead_letter_a_submission(api, drain)
    admin = api.login(staff["admin1"])

    listed = api.http.get("/api/v1/dead-letters", headers=admin)
    assert listed.status_code == 200
    score = next(row for row in listed.json() if row["queue"] == "score")
    assert score["depth"] >= 1 and "request.submitted" in score["sample"]

    unknown = api.http.post("/api/v1/dead-letters/nope/redrive", headers=admin)
    assert unknown.status_code == 404
    assert unknown.json()["error"]["code"] == "dead_letter_queue_not_found"
    applicant = api.http.post("/api/v1/dead-letters/score/redrive", headers=auth)
    assert applicant.status_code == 403

    redriven = api.http.post("/api/v1/dead-letters/score/redrive", headers=admin)
    assert redriven.status_code == 200
    body = redriven.json()
    assert body["queue"] == "score" and body["method"] == "move_task" and body["messages"] >= 1
    wait_until(lambda: _scored(api, auth, request_id, drain))

    entries = api.http.get(
        "/api/v1/audit-logs", params={"action": "dead_letters.redriven"}, headers=admin
    ).json()["items"]
    assert entries[0]["actor"] == staff["admin1"].username
    assert entries[0]["entity_id"] == "score"


def test_make_dlq_lists_every_queue(capsys: pytest.CaptureFixture[str]) -> None:
    assert dlq.main(["list"]) == 0
    printed = capsys.readouterr().out
    for queue in QUEUES:
        assert queue.dlq_name in printed
    assert dlq.main(["redrive", "nope"]) == 1
