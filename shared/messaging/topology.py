"""The messaging topology: one definition for LocalStack (its init hook, through the plan
`infra.local.provision` generates; `make local`; the tests) and the AWS template in `infra/`.

One SNS topic carries every workflow event. Each consuming step has its own SQS queue,
subscribed with a filter policy on the `event_type` attribute, and a dead-letter queue.
Outgoing webhook and chat deliveries have a queue of their own too: a failed delivery is an
SQS redelivery, delayed by exponential backoff (shared.notifications.delivery), so a
receiver that is down for hours is retried for about a day before its message is dead-lettered.
"""

from dataclasses import dataclass

from shared.workflow.events import EventType

FUNCTION_TIMEOUT_SECONDS = 30
VISIBILITY_TIMEOUT_SECONDS = 6 * FUNCTION_TIMEOUT_SECONDS  # AWS guidance: >= 6x the timeout
MAX_RECEIVE_COUNT = 5  # attempts before a message moves to the dead-letter queue
DLQ_RETENTION_SECONDS = 14 * 24 * 3600  # SQS's maximum: time to read and redrive a failure
WEBHOOK_MAX_RECEIVE_COUNT = 8  # a receiver outage is retried over about a day (see delivery)
TOPIC = "workflow-events"
SQS_BATCH_SIZE = 10  # messages per invocation, at most (SQS receives up to 10 at once)
# Lambda's SQS event source mapping accepts a maximum concurrency from 2 to 1000.
MIN_CONCURRENCY, MAX_CONCURRENCY = 2, 1000


@dataclass(frozen=True)
class QueueSpec:
    name: str
    function: str  # the step in functions/<function> that consumes it
    event_types: tuple[EventType, ...]
    max_receive_count: int = MAX_RECEIVE_COUNT
    # How many invocations work the queue at once: Lambda's ScalingConfig.MaximumConcurrency
    # in the template, and as many pollers in the local runner. Each holds one database
    # connection while it works (see shared.db.pool_size).
    maximum_concurrency: int = MIN_CONCURRENCY
    batch_size: int = SQS_BATCH_SIZE

    def __post_init__(self) -> None:
        if not MIN_CONCURRENCY <= self.maximum_concurrency <= MAX_CONCURRENCY:
            raise ValueError(
                f"{self.name}: maximum_concurrency must be {MIN_CONCURRENCY}-{MAX_CONCURRENCY}"
            )
        if not 1 <= self.batch_size <= SQS_BATCH_SIZE:
            raise ValueError(f"{self.name}: batch_size must be 1-{SQS_BATCH_SIZE}")

    @property
    def dlq_name(self) -> str:
        return f"{self.name}-dlq"


@dataclass(frozen=True)
class ScheduleSpec:
    name: str
    function: str
    expression: str  # EventBridge syntax: rate(...) or cron(...)
    # A scheduled function reads no queue, so no visibility timeout bounds its own: one that
    # works through the whole database gets what it needs (Lambda allows 900 s and 10 GB of
    # /tmp).
    timeout_seconds: int = FUNCTION_TIMEOUT_SECONDS
    tmp_mb: int | None = None  # Lambda's /tmp, when its default 512 MB is too little


QUEUES: tuple[QueueSpec, ...] = (
    # Few invocations, full batches: a batch costs one receive, one delete and one SNS call
    # whatever it holds, so under load fewer pollers each take more messages and the whole
    # pipeline spends less per submission. Against 8 / 4 / 8 (score / route / notify), 2 / 2
    # / 4 cut P4's CPU a submission by about a tenth and its approver email p95 (by half in
    # four of five pairs of runs, taken in turns: README, "A pipeline that keeps up"). Score and
    # route cost 6-8 ms of CPU a message (make bench's step costs): two invocations carry
    # several times P4's 20 submissions a second.
    QueueSpec("score", "score", (EventType.REQUEST_SUBMITTED,), maximum_concurrency=2),
    QueueSpec(
        "route-to-approver",
        "route_to_approver",
        (
            EventType.REQUEST_PENDING_APPROVAL,
            EventType.STAGE_APPROVED,
            EventType.REQUEST_REVIEW_REQUESTED,
        ),
        maximum_concurrency=2,
    ),
    # The busiest queue (two emails a submission) and the costliest step (each email is an
    # SES call): twice the others' invocations.
    QueueSpec(
        "notify",
        "notify",
        (
            EventType.REQUEST_SUBMITTED,
            EventType.REQUEST_AUTO_REJECTED,
            EventType.STAGE_ASSIGNED,
            EventType.STAGE_REMINDER,
            EventType.REQUEST_APPROVED,
            EventType.REQUEST_REJECTED,
            EventType.REQUEST_WITHDRAWN,
            EventType.REQUEST_INCOMPLETE,
            EventType.REQUEST_OFFER_DECLINED,
            EventType.STAGE_CANCELLED,
            EventType.USER_REGISTERED,
            EventType.EMAIL_VERIFICATION_REQUESTED,
            EventType.PASSWORD_RESET_REQUESTED,
            EventType.MESSAGE_POSTED,
            EventType.REQUEST_INFO_REQUESTED,
            EventType.REQUEST_INFO_PROVIDED,
            EventType.REQUEST_OFFER_MADE,
            EventType.ABSENCE_SET,
            EventType.REVIEW_ASSIGNED,
        ),
        maximum_concurrency=4,
    ),
    # One delivery an invocation: a post to a receiver that is down may wait 5 s to connect
    # and WEBHOOK_TIMEOUT_SECONDS (15) for an answer, so ten in a batch would outlast the
    # function's 30 s, and the batch's other deliveries, other users' among them, would come
    # back with no backoff and a receive spent.
    QueueSpec(
        "webhook-deliveries",
        "deliver_webhook",
        (EventType.DELIVERY_REQUESTED,),
        max_receive_count=WEBHOOK_MAX_RECEIVE_COUNT,
        batch_size=1,
    ),
)

SCHEDULES: tuple[ScheduleSpec, ...] = (
    ScheduleSpec("escalate", "escalate", "rate(5 minutes)"),
    # pg_dump and the upload took 24.7 s at 100,000 requests (README, "Backups and restore"):
    # at a million, minutes, and a dump of gigabytes written to /tmp first.
    ScheduleSpec(
        "nightly-backup", "nightly_backup", "cron(0 2 * * ? *)", timeout_seconds=900, tmp_mb=10240
    ),
    # Publishes outbox events whose immediate publish after commit failed.
    ScheduleSpec("outbox-relay", "outbox_relay", "rate(1 minute)"),
    # Removes personal data 25 months after a decision (shared.retention).
    ScheduleSpec("retention", "retention", "cron(30 3 * * ? *)"),
    # Folds the /stats running totals together (shared.tracking.compaction).
    ScheduleSpec("compact-stats", "compact_stats", "cron(0 4 * * ? *)"),
)


def resource_name(prefix: str, name: str) -> str:
    """A topic, queue or bucket's name under a deployment prefix."""
    return f"{prefix}-{name}"


def filter_policy(queue: QueueSpec) -> dict[str, list[str]]:
    """The SNS filter policy that delivers exactly the queue's event types."""
    return {"event_type": sorted(t.value for t in queue.event_types)}
