"""Every column of free text or copied data about a request is either cleared by retention or
kept on purpose: a new one must be placed in one list or the other."""

from sqlalchemy import String, Text
from sqlalchemy.dialects.postgresql import JSONB

import shared.models  # noqa: F401  (every table)
from shared.db import Base
from shared.retention.service import FREE_TEXT

KEPT_ON_PURPOSE = {
    # The request's own: its purpose and bureau figures are cleared by name in `_apply`.
    ("credit_requests", "purpose"): "cleared by name",
    ("credit_requests", "score_result"): "its bureau_report cleared by name",
    ("decline_reviews", "original"): "its inputs' purpose and bureau copy cleared by name",
    # The decision and its principal reasons stay (Reg B keeps the record of the decision).
    ("credit_requests", "decision_reasons"): "the decision's reasons, in the catalogue's words",
    ("adverse_action_notices", "reasons"): "the notice's reasons, in the catalogue's words",
    ("offers", "reason_codes"): "the counteroffer's reasons, in the catalogue's words",
    ("adverse_action_notices", "bureau"): "the bureau's own name and address",
}


def _text_columns() -> set[tuple[str, str]]:
    return {
        (table.name, column.name)
        for table in Base.metadata.sorted_tables
        if "request_id" in table.c or table.name == "credit_requests"
        for column in table.c
        if isinstance(column.type, Text | JSONB)
        or (isinstance(column.type, String) and (column.type.length or 0) >= 200)
    }


def test_every_free_text_column_about_a_request_is_cleared_or_kept_on_purpose() -> None:
    cleared = {(f.column.class_.__tablename__, f.column.key) for f in FREE_TEXT}
    unplaced = _text_columns() - cleared - set(KEPT_ON_PURPOSE)
    assert not unplaced, (
        f"{sorted(unplaced)}: add them to shared.retention.service.FREE_TEXT, or to "
        "KEPT_ON_PURPOSE here with the reason they stay"
    )
    assert not cleared & set(KEPT_ON_PURPOSE)
