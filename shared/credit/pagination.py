"""Opaque keyset cursors: the sort key and id of the last row seen, base64url-encoded JSON."""

import base64
import binascii
import json
import uuid
from datetime import datetime
from decimal import Decimal, InvalidOperation

from shared.errors import InvalidInput


def encode(sort: str, value: datetime | Decimal, row_id: uuid.UUID) -> str:
    raw = json.dumps(
        [sort, str(value) if isinstance(value, Decimal) else value.isoformat(), str(row_id)]
    )
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode(cursor: str, sort: str) -> tuple[datetime | Decimal, uuid.UUID]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        cursor_sort, value, row_id = json.loads(base64.urlsafe_b64decode(padded))
        if cursor_sort != sort:
            raise ValueError("cursor was made for another sort order")
        key: datetime | Decimal = (
            Decimal(value) if sort.lstrip("-") == "amount" else datetime.fromisoformat(value)
        )
        return key, uuid.UUID(row_id)
    except (ValueError, TypeError, binascii.Error, InvalidOperation, json.JSONDecodeError) as exc:
        raise InvalidInput(
            "The cursor is not valid for this query.", code="invalid_cursor"
        ) from exc
