"""Lambda entry point of the `retention` step (EventBridge schedule, daily): remove the
personal data of requests decided 25 months ago (shared.retention)."""

from dataclasses import asdict
from typing import Any

from shared.db import unit_of_work
from shared.observability import lambda_entry
from shared.retention.service import run


def handle(event: dict[str, Any], context: Any) -> dict[str, Any]:
    # A scheduled rule may pass {"dry_run": true} to rehearse a change of the rules.
    # It adds no workflow event: a plain transaction (and no permission to publish).
    with unit_of_work() as session:
        report = run(session, dry_run=bool(event.get("dry_run", False)))
    return {"run_id": str(report.run_id), "dry_run": report.dry_run, **asdict(report.counts)}


handler = lambda_entry("retention", handle)
