"""Workflow gauges read from the database at scrape time, so every process agrees on them."""

from collections.abc import Iterator
from functools import cache

from prometheus_client import REGISTRY
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import func, select

from shared import aws
from shared.approvals.models import ApprovalStage
from shared.backup.models import BackupRecord
from shared.clock import utcnow
from shared.credit.models import CreditRequest
from shared.db import unit_of_work
from shared.messaging.models import OutboxEvent
from shared.messaging.topology import QUEUES
from shared.workflow.states import StageStatus


class WorkflowCollector(Collector):
    def collect(self) -> Iterator[GaugeMetricFamily]:
        with unit_of_work() as session:
            by_status = session.execute(
                select(CreditRequest.status, func.count()).group_by(CreditRequest.status)
            ).all()
            overdue = session.scalar(
                select(func.count()).where(
                    ApprovalStage.status == StageStatus.PENDING, ApprovalStage.due_at < utcnow()
                )
            )
            unpublished = session.scalar(
                select(func.count()).where(OutboxEvent.published_at.is_(None))
            )
            last_backup = session.scalar(select(func.max(BackupRecord.created_at)))
        requests = GaugeMetricFamily(
            "credit_requests", "Credit requests by status", labels=["status"]
        )
        for status, count in by_status:
            requests.add_metric([status], count)
        yield requests
        yield GaugeMetricFamily(
            "approval_stages_overdue", "Pending stages past their due time", value=overdue or 0
        )
        yield GaugeMetricFamily(
            "outbox_unpublished_events",
            "Events committed but not yet published",
            value=unpublished or 0,
        )
        dead = GaugeMetricFamily(
            "dead_letter_messages", "Messages waiting in a dead-letter queue", labels=["queue"]
        )
        for queue, depth in _dead_letter_depths().items():
            dead.add_metric([queue], depth)
        yield dead
        yield GaugeMetricFamily(
            "backup_last_success_timestamp_seconds",
            "When the last backup was stored (Unix time)",
            value=last_backup.timestamp() if last_backup else 0,
        )


def _dead_letter_depths() -> dict[str, int]:
    sqs = aws.client("sqs")
    depths = {}
    for queue in QUEUES:
        attributes = sqs.get_queue_attributes(
            QueueUrl=aws.queue_url(queue.dlq_name),
            AttributeNames=["ApproximateNumberOfMessages"],
        )["Attributes"]
        depths[queue.name] = int(attributes["ApproximateNumberOfMessages"])
    return depths


@cache
def register_once() -> None:
    REGISTRY.register(WorkflowCollector())
