"""CSV exports of what a list shows (filtered requests, the audit log), written row by row.

Rows are read through a server-side cursor in batches and written as they come, so an export
never holds the whole result in memory. A Lambda returns at most 6 MB, so an export stops at
`EXPORT_MAX_ROWS` and says so (the caller narrows the filters, e.g. by date).

Cells a spreadsheet would run as a formula (text starting with =, +, -, @, tab or CR) are
prefixed with a quote (OWASP "CSV injection"): an applicant's free-text purpose is data.
"""

import csv
import io
import json
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from shared.audit.models import AuditLog
from shared.credit.models import CreditRequest
from shared.db import new_session

EXPORT_MAX_ROWS = 25_000
_BATCH = 1_000
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

REQUEST_COLUMNS: tuple[str, ...] = (
    "id",
    "created_at",
    "status",
    "amount",
    "term_months",
    "purpose",
    "risk_tier",
    "decision_reasons",
    "decided_at",
    "applicant_id",
    "monthly_income",
    "monthly_debt",
    "employment_status",
    "credit_score",
)
AUDIT_COLUMNS: tuple[str, ...] = (
    "id",
    "at",
    "actor",
    "actor_id",
    "action",
    "entity_type",
    "entity_id",
    "before",
    "after",
    "details",
)


def cell(value: Any) -> str:
    """One CSV cell: ISO times, exact decimals, JSON for structures, formulas defused."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dict | list):
        text = json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)
    else:
        text = str(value)
    return f"'{text}" if text.startswith(_FORMULA_START) else text


def _request_row(request: CreditRequest) -> list[str]:
    reasons = [reason.get("code", "") for reason in request.decision_reasons or []]
    values = {c: getattr(request, c) for c in REQUEST_COLUMNS if c != "decision_reasons"}
    return [
        cell(";".join(reasons) if c == "decision_reasons" else values[c]) for c in REQUEST_COLUMNS
    ]


def _audit_row(entry: AuditLog) -> list[str]:
    return [cell(getattr(entry, c)) for c in AUDIT_COLUMNS]


def row_count(session: Session, query: Select[Any]) -> int:
    """How many rows an export of `query` writes (at most one more than the cap, to tell)."""
    capped = query.limit(EXPORT_MAX_ROWS + 1).subquery()
    return session.scalar(select(func.count()).select_from(capped)) or 0


def _lines(
    query: Select[Any], header: Sequence[str], row: Callable[[Any], list[str]]
) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")  # RFC 4180

    def take() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow(header)
    yield take()
    # Its own session: the response is written after the request's session has closed.
    with new_session() as session:
        result = session.scalars(query.limit(EXPORT_MAX_ROWS).execution_options(yield_per=_BATCH))
        for batch in result.partitions():
            writer.writerows(row(item) for item in batch)
            yield take()


def request_lines(query: Select[CreditRequest]) -> Iterator[str]:
    """The CSV of the requests `query` selects, newest first."""
    ordered = query.order_by(CreditRequest.created_at.desc(), CreditRequest.id.desc())
    return _lines(ordered, REQUEST_COLUMNS, _request_row)


def audit_lines(query: Select[AuditLog]) -> Iterator[str]:
    """The CSV of the audit entries `query` selects, newest first."""
    return _lines(query.order_by(AuditLog.id.desc()), AUDIT_COLUMNS, _audit_row)
