"""Lambda entry point of the `compact_stats` schedule: folds the /stats running totals
together, so /stats reads one row per total rather than up to sixteen
(shared.tracking.compaction)."""

from typing import Any

from shared.observability import lambda_entry
from shared.tracking.compaction import compact


def handle(event: dict[str, Any], context: Any) -> dict[str, int]:
    return compact()


handler = lambda_entry("compact_stats", handle)
