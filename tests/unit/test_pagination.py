"""Opaque keyset cursors (shared.credit.pagination)."""

import base64
import json
import uuid
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from shared.credit.pagination import decode, encode
from shared.errors import InvalidInput

ROW_ID = uuid.UUID("3e8a0b3f-0e4b-4d88-8d7b-6c3c8d3c9d04")
CREATED = datetime(2026, 11, 28, 14, 5, 6, 123456, tzinfo=UTC)


def raw_cursor(data: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def invalid(cursor: str, sort: str) -> InvalidInput:
    with pytest.raises(InvalidInput) as raised:
        decode(cursor, sort)
    assert raised.value.code == "invalid_cursor"
    assert raised.value.status_code == 422
    return raised.value


@pytest.mark.parametrize("sort", ["created_at", "-created_at"])
def test_created_at_cursor_round_trips(sort: str) -> None:
    value, row_id = decode(encode(sort, CREATED, ROW_ID), sort)
    assert value == CREATED
    assert isinstance(value, datetime)
    assert value.tzinfo is not None
    assert value.utcoffset() == CREATED.utcoffset()
    assert row_id == ROW_ID


@pytest.mark.parametrize("sort", ["amount", "-amount"])
@pytest.mark.parametrize("amount", ["12345.67", "0.01", "100000.00", "999999999.99"])
def test_amount_cursor_round_trips_exactly(sort: str, amount: str) -> None:
    value, row_id = decode(encode(sort, Decimal(amount), ROW_ID), sort)
    assert isinstance(value, Decimal)
    assert str(value) == amount
    assert row_id == ROW_ID


def test_cursor_is_url_safe_and_unpadded() -> None:
    cursor = encode("-amount", Decimal("12345.67"), ROW_ID)
    assert "=" not in cursor
    assert "+" not in cursor and "/" not in cursor


@pytest.mark.parametrize(
    ("made_for", "used_for"),
    [
        ("created_at", "-created_at"),
        ("-created_at", "created_at"),
        ("amount", "-amount"),
        ("-created_at", "-amount"),
    ],
)
def test_cursor_for_another_sort_is_refused(made_for: str, used_for: str) -> None:
    value = Decimal("10.00") if made_for.lstrip("-") == "amount" else CREATED
    invalid(encode(made_for, value, ROW_ID), used_for)


def test_created_at_cursor_relabelled_as_amount_is_refused() -> None:
    # Someone edits the sort inside the cursor: the value is a date, not an amount.
    invalid(raw_cursor(["amount", CREATED.isoformat(), str(ROW_ID)]), "amount")


@pytest.mark.parametrize(
    "cursor",
    [
        "garbage",
        "!!!!",
        "a",  # impossible base64 length
        "////",
        raw_cursor("just a string"),
        raw_cursor(42),
        raw_cursor({"sort": "-created_at"}),
        raw_cursor(["-created_at", CREATED.isoformat()]),  # too few parts
        raw_cursor(["-created_at", CREATED.isoformat(), str(ROW_ID), "x"]),  # too many
        raw_cursor(["-created_at", "yesterday", str(ROW_ID)]),
        raw_cursor(["-created_at", 1700000000, str(ROW_ID)]),
        raw_cursor(["-created_at", CREATED.isoformat(), "not-a-uuid"]),
        raw_cursor(["-created_at", CREATED.isoformat(), None]),
        base64.urlsafe_b64encode(b"\xff\xfe\x00binary").decode(),
    ],
)
def test_garbage_cursor_is_refused(cursor: str) -> None:
    invalid(cursor, "-created_at")


@pytest.mark.parametrize(
    "cursor",
    [
        raw_cursor(["-amount", "lots", str(ROW_ID)]),
        raw_cursor(["-amount", ["1"], str(ROW_ID)]),
        raw_cursor(["-amount", "1.00", "nope"]),
    ],
)
def test_garbage_amount_cursor_is_refused(cursor: str) -> None:
    invalid(cursor, "-amount")
