"""Lambda entry point of the `nightly_backup` step (EventBridge schedule)."""

from typing import Any

from shared.backup.service import run_backup
from shared.observability import lambda_entry


def handle(event: dict[str, Any], context: Any) -> dict[str, Any]:
    result = run_backup()
    return {"key": result.key, "sha256": result.sha256, "size_bytes": result.size_bytes}


handler = lambda_entry("nightly_backup", handle)
