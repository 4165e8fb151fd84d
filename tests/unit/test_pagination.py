"""One keyset pagination (shared.pagination): cursors round-trip exactly, and anything that is
not a cursor this API issued for this sort is refused with 422 `invalid_cursor`."""

import base64
import json
import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from shared import pagination
from shared.audit.service import NEWEST_FIRST
from shared.errors import InvalidInput
from shared.tracking.requests import SORTS
from shared.users.service import BY_USERNAME

ROW_ID = uuid.UUID("3e8a0b3f-0e4b-4d88-8d7b-6c3c8d3c9d04")
CREATED = datetime(2026, 11, 28, 14, 5, 6, 123456, tzinfo=UTC)


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def signed(data: Any) -> str:
    """A cursor with a valid MAC over arbitrary content: what a client cannot make, so the
    checks behind the MAC are tested on their own."""
    payload = json.dumps(data).encode()
    return f"{b64(payload)}.{b64(pagination._mac(payload))}"


def refused(keyset: pagination.Keyset, cursor: str) -> InvalidInput:
    with pytest.raises(InvalidInput) as raised:
        pagination.decode(keyset, cursor)
    error = raised.value
    assert error.status_code == 422
    assert error.code == "invalid_cursor"
    assert error.message == "The cursor is not valid for this query."
    assert error.details[0]["loc"] == ["query", "cursor"]
    return error


@pytest.mark.parametrize("sort", ["created_at", "-created_at"])
def test_created_at_cursor_round_trips(sort: str) -> None:
    keyset = SORTS[sort]  # type: ignore[index]
    value, row_id = pagination.decode(keyset, pagination.encode(keyset, [CREATED, ROW_ID]))
    assert value == CREATED
    assert value.utcoffset() == CREATED.utcoffset()
    assert row_id == ROW_ID


@pytest.mark.parametrize("sort", ["amount", "-amount"])
@pytest.mark.parametrize("amount", ["12345.67", "0.01", "100000.00", "999999999999.99"])
def test_amount_cursor_round_trips_exactly(sort: str, amount: str) -> None:
    keyset = SORTS[sort]  # type: ignore[index]
    value, _ = pagination.decode(keyset, pagination.encode(keyset, [Decimal(amount), ROW_ID]))
    assert isinstance(value, Decimal)
    assert str(value) == amount


def test_audit_and_user_cursors_round_trip() -> None:
    assert pagination.decode(NEWEST_FIRST, pagination.encode(NEWEST_FIRST, [123456])) == [123456]
    cursor = pagination.encode(BY_USERNAME, ["ana_b.c-d", ROW_ID])
    assert pagination.decode(BY_USERNAME, cursor) == ["ana_b.c-d", ROW_ID]


def test_cursor_is_url_safe_and_unpadded() -> None:
    cursor = pagination.encode(SORTS["-amount"], [Decimal("12345.67"), ROW_ID])
    assert "=" not in cursor
    assert "+" not in cursor and "/" not in cursor


def test_padding_is_refused_even_when_the_rest_is_valid() -> None:
    payload, mac = pagination.encode(SORTS["-amount"], [Decimal("1.50"), ROW_ID]).split(".")
    padded = payload + "=" * (-len(payload) % 4 or 4)
    assert "padding" in refused(SORTS["-amount"], f"{padded}.{mac}").details[0]["msg"]


def test_an_edited_cursor_is_refused() -> None:
    cursor = pagination.encode(SORTS["amount"], [Decimal("10.00"), ROW_ID])
    payload = json.loads(base64.urlsafe_b64decode(cursor.split(".")[0] + "=="))
    payload[1][0] = "9.00"  # skip back a page or two
    forged = f"{b64(json.dumps(payload).encode())}.{cursor.split('.')[1]}"
    assert "not a cursor this API issued" in refused(SORTS["amount"], forged).details[0]["msg"]


@pytest.mark.parametrize(
    ("made_for", "used_for"),
    [("created_at", "-created_at"), ("amount", "-amount"), ("-created_at", "-amount")],
)
def test_cursor_for_another_sort_is_refused(made_for: str, used_for: str) -> None:
    value = Decimal("10.00") if made_for.lstrip("-") == "amount" else CREATED
    cursor = pagination.encode(SORTS[made_for], [value, ROW_ID])  # type: ignore[index]
    error = refused(SORTS[used_for], cursor)  # type: ignore[index]
    assert "another sort order" in error.details[0]["msg"]


@pytest.mark.parametrize(
    "content",
    [
        ["amount", ["1", 5]],  # a number where a uuid goes (was an AttributeError, a 500)
        ["amount", ["1e999999", str(ROW_ID)]],  # an exponent that overflowed NUMERIC
        ["amount", ["1E+5", str(ROW_ID)]],
        ["amount", ["1000000000000.00", str(ROW_ID)]],  # above NUMERIC(14,2)
        ["amount", ["1.001", str(ROW_ID)]],  # more places than the column holds
        ["amount", ["NaN", str(ROW_ID)]],
        ["amount", [1.5, str(ROW_ID)]],
        ["amount", ["1.00"]],  # too few values
        ["amount", ["1.00", str(ROW_ID), "x"]],  # too many
        ["amount", "1.00"],
        ["amount"],
        "amount",
    ],
)
def test_signed_but_ill_typed_amount_cursors_are_refused(content: Any) -> None:
    refused(SORTS["amount"], signed(content))


@pytest.mark.parametrize(
    "values",
    [
        ["yesterday", str(ROW_ID)],
        [1700000000, str(ROW_ID)],
        ["2026-11-28T14:05:06", str(ROW_ID)],  # no time zone
        [CREATED.isoformat(), "not-a-uuid"],
        [CREATED.isoformat(), None],
    ],
)
def test_signed_but_ill_typed_date_cursors_are_refused(values: list[Any]) -> None:
    refused(SORTS["-created_at"], signed(["-created_at", values]))


@pytest.mark.parametrize("value", ["9" * 32, "9223372036854775808", "12a", 42, "-"])
def test_audit_cursor_must_be_a_bigint(value: Any) -> None:
    refused(NEWEST_FIRST, signed(["-id", [value]]))


@pytest.mark.parametrize(
    "cursor",
    [
        "",
        "garbage",
        "a.b.c",
        "!!!!.!!!!",
        "a.a",  # impossible base64 lengths
        b64(b"\xff\xfe\x00binary") + "." + b64(b"x" * 16),
        "x" * (pagination.CURSOR_MAX_LENGTH + 1),
    ],
)
def test_garbage_is_refused(cursor: str) -> None:
    refused(SORTS["-created_at"], cursor)
