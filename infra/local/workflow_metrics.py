"""Workflow gauges read from the database at scrape time, so every process agrees on them."""

import logging
import os
from collections.abc import Iterator
from functools import cache

from botocore.exceptions import BotoCoreError, ClientError
from prometheus_client import REGISTRY, CollectorRegistry, ProcessCollector, multiprocess
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from shared import aws
from shared.approvals.models import ApprovalStage
from shared.backup.models import BackupRecord
from shared.clock import utcnow
from shared.credit.models import CreditRequest
from shared.db import unit_of_work
from shared.messaging.models import OutboxEvent
from shared.messaging.topology import QUEUES
from shared.notifications import adverse_action
from shared.workflow.states import StageStatus

logger = logging.getLogger(__name__)


class WorkflowCollector(Collector):
    def collect(self) -> Iterator[GaugeMetricFamily]:
        # Each part on its own: one that cannot be read (PostgreSQL or the queues down) must
        # not fail the whole scrape, or the HTTP counters beside it, and every alert reading
        # them, would go silent just when they matter.
        failed = GaugeMetricFamily(
            "workflow_metrics_errors",
            "Parts of the workflow gauges this scrape could not read (1: failed)",
            labels=["source"],
        )
        for source, read in (("database", _database_gauges), ("queues", _queue_gauges)):
            try:
                families = read()
            except (SQLAlchemyError, BotoCoreError, ClientError):
                logger.warning("workflow gauges unavailable", extra={"source": source})
                failed.add_metric([source], 1)
                continue
            failed.add_metric([source], 0)
            yield from families
        yield failed


def _database_gauges() -> list[GaugeMetricFamily]:
    with unit_of_work() as session:
        by_status = session.execute(
            select(CreditRequest.status, func.count()).group_by(CreditRequest.status)
        ).all()
        overdue = session.scalar(
            select(func.count()).where(
                ApprovalStage.status == StageStatus.PENDING, ApprovalStage.due_at < utcnow()
            )
        )
        unpublished = session.scalar(select(func.count()).where(OutboxEvent.published_at.is_(None)))
        last_backup = session.scalar(select(func.max(BackupRecord.created_at)))
        notices_overdue = adverse_action.overdue(session)
        oldest_assigned = session.scalar(
            select(func.min(ApprovalStage.assigned_at)).where(
                ApprovalStage.status == StageStatus.PENDING
            )
        )
    requests = GaugeMetricFamily("credit_requests", "Credit requests by status", labels=["status"])
    for status, count in by_status:
        requests.add_metric([status], count)
    return [
        requests,
        GaugeMetricFamily(
            "approval_stages_overdue", "Pending stages past their due time", value=overdue or 0
        ),
        GaugeMetricFamily(
            "outbox_unpublished_events",
            "Events committed but not yet published",
            value=unpublished or 0,
        ),
        GaugeMetricFamily(
            "credit_adverse_action_notices_overdue",
            "Final adverse decisions older than 25 days without a sent notice (Reg B: 30 days)",
            value=notices_overdue,
        ),
        GaugeMetricFamily(
            "approval_stage_oldest_pending_age_seconds",
            "How long the longest-waiting assigned stage has waited",
            value=(utcnow() - oldest_assigned).total_seconds() if oldest_assigned else 0,
        ),
        GaugeMetricFamily(
            "backup_last_success_timestamp_seconds",
            "When the last backup was stored (Unix time)",
            value=last_backup.timestamp() if last_backup else 0,
        ),
    ]


def _queue_gauges() -> list[GaugeMetricFamily]:
    ready = GaugeMetricFamily("queue_messages", "Messages waiting in a queue", labels=["queue"])
    dead = GaugeMetricFamily(
        "dead_letter_messages", "Messages waiting in a dead-letter queue", labels=["queue"]
    )
    for queue in QUEUES:  # the first failure ends the part: one slow call, not sixteen
        ready.add_metric([queue.name], _depth(queue.name))
        dead.add_metric([queue.name], _depth(queue.dlq_name))
    return [ready, dead]


def _depth(queue_name: str) -> int:
    attributes = aws.client("sqs").get_queue_attributes(
        QueueUrl=aws.queue_url(queue_name), AttributeNames=["ApproximateNumberOfMessages"]
    )["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"])


@cache
def scrape_registry() -> CollectorRegistry:
    """What /metrics shows: the workflow gauges, plus every process's counters — aggregated
    from PROMETHEUS_MULTIPROC_DIR when the stack runs several processes, else this one's."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        # Memory and CPU cannot be added up across processes: this one's, for the alerts.
        ProcessCollector(registry=registry)
    else:
        registry = REGISTRY
    registry.register(WorkflowCollector())
    return registry
