"""CSV exports of what a list shows (filtered requests, the audit log), written row by row.

Rows are read through a server-side cursor in batches. A Lambda returns at most 6 MB, counted
as the JSON its answer travels in (quotes and non-ASCII text escaped), so an export stops at
`EXPORT_MAX_ROWS` or before its rows would pass that, whichever comes first, and says so (the
caller narrows the filters, e.g. by date). What it holds is at most those 6 MB.

Cells a spreadsheet would run as a formula (text starting with =, +, -, @, tab, CR or LF,
also after leading spaces or as their full-width forms, which spreadsheets read as the same
signs) are prefixed with a quote (OWASP "CSV injection"): an applicant's free-text purpose is
data.
"""

import csv
import io
import json
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Select
from sqlalchemy.orm import Session

from shared.audit.models import AuditLog
from shared.credit.models import CreditRequest

EXPORT_MAX_ROWS = 25_000
# Lambda's limit for a synchronous answer, less room for the headers and the envelope.
EXPORT_MAX_BYTES = 6 * 1024 * 1024 - 64 * 1024
_BATCH = 1_000
_FORMULA_SIGNS = ("=", "+", "-", "@")
_CONTROL_START = ("\t", "\r", "\n")

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
    return f"'{text}" if _formula_like(text) else text


def _formula_like(text: str) -> bool:
    if text.startswith(_CONTROL_START):
        return True
    # NFKC folds the full-width signs (U+FF1D, U+FF0B, U+FF0D, U+FF20) into the ASCII ones.
    return unicodedata.normalize("NFKC", text).lstrip().startswith(_FORMULA_SIGNS)


def _request_row(request: CreditRequest) -> list[str]:
    reasons = [reason.get("code", "") for reason in request.decision_reasons or []]
    values = {c: getattr(request, c) for c in REQUEST_COLUMNS if c != "decision_reasons"}
    return [
        cell(";".join(reasons) if c == "decision_reasons" else values[c]) for c in REQUEST_COLUMNS
    ]


def _audit_row(entry: AuditLog) -> list[str]:
    return [cell(getattr(entry, c)) for c in AUDIT_COLUMNS]


@dataclass(frozen=True)
class Export:
    body: str
    rows: int  # written
    truncated: bool  # more matched than were written: the row cap, or the size a Lambda returns


def _write(
    session: Session,
    query: Select[Any],
    header: Sequence[str],
    row: Callable[[Any], list[str]],
) -> Export:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")  # RFC 4180

    def line(values: Sequence[str]) -> tuple[str, int]:
        writer.writerow(values)
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text, len(json.dumps(text)) - 2  # its size as the Lambda answer carries it

    first, size = line(header)
    lines, rows, truncated = [first], 0, False
    matched = session.scalars(query.limit(EXPORT_MAX_ROWS + 1).execution_options(yield_per=_BATCH))
    for item in matched:
        text, cost = line(row(item))
        if rows == EXPORT_MAX_ROWS or size + cost > EXPORT_MAX_BYTES:
            truncated = True
            break
        lines.append(text)
        size += cost
        rows += 1
    return Export("".join(lines), rows, truncated)


def requests_csv(session: Session, query: Select[CreditRequest]) -> Export:
    """The CSV of the requests `query` selects, newest first."""
    ordered = query.order_by(CreditRequest.created_at.desc(), CreditRequest.id.desc())
    return _write(session, ordered, REQUEST_COLUMNS, _request_row)


def audit_csv(session: Session, query: Select[AuditLog]) -> Export:
    """The CSV of the audit entries `query` selects, newest first."""
    return _write(session, query.order_by(AuditLog.id.desc()), AUDIT_COLUMNS, _audit_row)
