"""What must hold after any fault, checked against the fault stack's own database and SES:

- every accepted request reached a terminal state or is pending approval with its chain;
- every stage has exactly one decision or none, and one outcome in the audit trail;
- every email the notify step recorded as sent is in the mailbox exactly once, and nothing
  else is — except the documented send-then-commit window (sent, then the transaction
  failed, so the redelivery sent it again or found it no longer due), which is counted,
  reported, and bounded by the caller;
- no outbox event is left unpublished;
- the audit hash chain verifies.
"""

import logging
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, text

from shared.audit.chain import verify_database
from tests.faults.stack import FaultStack

logger = logging.getLogger(__name__)
TERMINAL_OR_PENDING = ("auto_rejected", "pending_approval", "approved", "rejected", "withdrawn")


@dataclass
class Findings:
    """What the check saw; `problems` must be empty."""

    settled_after: float = 0.0  # seconds from the check's start until every request settled
    requests: Counter[str] = field(default_factory=Counter)
    emails_recorded: int = 0
    emails_in_mailbox: int = 0
    duplicate_emails: int = 0  # the send-then-commit window
    problems: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"requests {dict(self.requests)}, settled after {self.settled_after:.1f}s; emails "
            f"recorded {self.emails_recorded}, in the mailbox {self.emails_in_mailbox}, sent "
            f"beyond the record (send-then-commit window) {self.duplicate_emails}"
        )


def _unsettled(engine: Engine, accepted: list[str]) -> list[str]:
    with engine.connect() as conn:
        settled = {
            str(row.id)
            for row in conn.execute(
                text("SELECT id FROM credit_requests WHERE status = ANY(:done)"),
                {"done": list(TERMINAL_OR_PENDING)},
            )
        }
    return [r for r in accepted if r not in settled]


def _outbox_unpublished(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(
            conn.scalar(text("SELECT count(*) FROM outbox_events WHERE published_at IS NULL")) or 0
        )


def _queued(stack: FaultStack) -> int:
    """Messages waiting, in flight or delayed in the workflow's queues (not the DLQs)."""
    from shared.messaging.topology import QUEUES

    sqs = stack.localstack.client("sqs")
    total = 0
    for queue in QUEUES:
        attributes = sqs.get_queue_attributes(
            QueueUrl=stack.queue_url(queue.name),
            AttributeNames=[
                "ApproximateNumberOfMessages",
                "ApproximateNumberOfMessagesNotVisible",
                "ApproximateNumberOfMessagesDelayed",
            ],
        )["Attributes"]
        total += sum(int(v) for v in attributes.values())
    return total


def wait_until_settled(
    stack: FaultStack, accepted: list[str], timeout: float = 180
) -> tuple[float, list[str] | None]:
    """Seconds until every accepted request settled and the workflow went quiet — the outbox
    published, every queue empty, twice in a row — or the timeout; then None, or the requests
    still unsettled (empty if only the outbox or the queues never went quiet)."""
    started, quiet = time.monotonic(), 0
    with stack.database() as engine:
        while True:
            unsettled = _unsettled(engine, accepted)
            if not unsettled and _outbox_unpublished(engine) == 0 and _queued(stack) == 0:
                quiet += 1
                if quiet == 2:
                    return time.monotonic() - started, None
            else:
                quiet = 0
            if time.monotonic() - started > timeout:
                return time.monotonic() - started, unsettled
            time.sleep(1)


def _stage_problems(engine: Engine) -> list[str]:
    problems = []
    with engine.connect() as conn:
        pending_chains = conn.execute(
            text(
                "SELECT r.id, count(s.id) FILTER (WHERE s.status = 'pending') AS pending "
                "FROM credit_requests r LEFT JOIN approval_stages s ON s.request_id = r.id "
                "WHERE r.status = 'pending_approval' GROUP BY r.id "
                "HAVING count(s.id) FILTER (WHERE s.status = 'pending') <> 1"
            )
        ).all()
        problems += [
            f"request {r.id} pending with {r.pending} pending stages" for r in pending_chains
        ]
        decided_twice = conn.execute(
            text(
                "SELECT entity_id, count(*) AS n FROM audit_logs "
                "WHERE action IN ('stage.approved', 'stage.rejected') "
                "GROUP BY entity_id HAVING count(*) > 1"
            )
        ).all()
        problems += [f"stage {r.entity_id} decided {r.n} times" for r in decided_twice]
        unaudited = conn.execute(
            text(
                "SELECT s.id FROM approval_stages s WHERE s.status IN ('approved', 'rejected') "
                "AND NOT EXISTS (SELECT 1 FROM audit_logs a WHERE a.entity_id = s.id::text "
                "AND a.action IN ('stage.approved', 'stage.rejected'))"
            )
        ).all()
        problems += [f"stage {r.id} decided without an audit entry" for r in unaudited]
        after_end = conn.execute(
            text(
                "SELECT s.id, s.status, r.status AS request_status FROM approval_stages s "
                "JOIN credit_requests r ON r.id = s.request_id "
                "WHERE r.status IN ('approved', 'rejected', 'withdrawn', 'auto_rejected') "
                "AND s.status IN ('pending', 'waiting')"
            )
        ).all()
        problems += [
            f"stage {r.id} still {r.status} on a {r.request_status} request" for r in after_end
        ]
    return problems


def _email_counts(
    engine: Engine, mailbox: list[dict[str, Any]]
) -> tuple[Counter[str], Counter[str]]:
    """(recorded as sent, found in the mailbox), by subject."""
    with engine.connect() as conn:
        recorded = Counter(
            str(row.subject)
            for row in conn.execute(
                text(
                    "SELECT details->>'subject' AS subject FROM audit_logs "
                    "WHERE action = 'email.sent'"
                )
            )
        )
    sent = Counter(str(m["Subject"]) for m in mailbox)
    return recorded, sent


def check(
    stack: FaultStack,
    accepted: list[str],
    *,
    duplicate_emails_allowed: int = 0,
    settle_timeout: float = 180,
) -> Findings:
    """Wait for the stack to settle, then check every invariant; `duplicate_emails_allowed`
    bounds the send-then-commit window the fault could open (0 unless it can cut a step
    between its send and its commit)."""
    findings = Findings()
    findings.settled_after, unsettled = wait_until_settled(stack, accepted, settle_timeout)
    if unsettled:
        findings.problems.append(
            f"{len(unsettled)} accepted requests never settled: {unsettled[:5]}"
        )
    elif unsettled is not None:
        findings.problems.append("the workflow never went quiet (outbox or queues busy)")
    with stack.database() as engine:
        unpublished = _outbox_unpublished(engine)
        if unpublished:
            findings.problems.append(f"{unpublished} outbox events never published")
        findings.problems += _stage_problems(engine)
        with engine.connect() as conn:
            findings.requests = Counter(
                {
                    str(row.status): int(row.n)
                    for row in conn.execute(
                        text("SELECT status, count(*) AS n FROM credit_requests GROUP BY status")
                    )
                }
            )
        # The last emails of a settled request (its approver's, its decision's) may still be
        # on their way: wait until the mailbox stops growing.
        mailbox = _quiet_mailbox(stack)
        recorded, sent = _email_counts(engine, mailbox)
        findings.emails_recorded, findings.emails_in_mailbox = (
            sum(recorded.values()),
            sum(sent.values()),
        )
        if not recorded or not accepted:
            findings.problems.append("nothing to check: no accepted request or recorded email")
        missing = recorded - sent
        if missing:
            findings.problems.append(
                f"{sum(missing.values())} recorded emails not sent: {list(missing)[:3]}"
            )
        # Sent more often than recorded: sent, then the transaction failed. Its redelivery
        # sent it again, or found the email no longer due (the stage decided meanwhile).
        # The stack lives through every scenario: count what this one added.
        beyond = sum((sent - recorded).values())
        findings.duplicate_emails = beyond - stack.emails_beyond_record
        stack.emails_beyond_record = beyond
        if findings.duplicate_emails > duplicate_emails_allowed:
            findings.problems.append(
                f"{findings.duplicate_emails} emails sent but not recorded (or sent twice): "
                f"{list(sent - recorded)[:3]}; this fault allows {duplicate_emails_allowed}"
            )
        verification = verify_database(engine)
        if not verification.ok:
            findings.problems.append(f"audit chain broken: {verification}")
    logger.info("invariants: %s", findings.summary())
    return findings


def _quiet_mailbox(
    stack: FaultStack, quiet_seconds: float = 3, timeout: float = 60
) -> list[dict[str, Any]]:
    started = time.monotonic()
    emails = stack.localstack.sent_emails()
    while time.monotonic() - started < timeout:
        time.sleep(quiet_seconds)
        now = stack.localstack.sent_emails()
        if len(now) == len(emails):
            return now
        emails = now
    return emails
